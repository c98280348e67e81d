import { usageError } from "../../core/errors.js";

/** X.520 upper bound for a common name (ub-common-name). */
export const MAX_COMMON_NAME_LENGTH = 64;

/**
 * A CN names a file under the PKI directory (`<group>/<cn>.crt`) and, for client
 * certificates, a PostgreSQL role, so it is held to characters that are safe in both.
 */
const COMMON_NAME_PATTERN = /^[A-Za-z0-9_*][A-Za-z0-9_.@*-]*$/;
const NAME_ADVICE = 'use letters, digits, "_", "-", "." and "@", starting with a letter, digit or "_"';

/** Checks a certificate common name; throws a usage error (exit 2) that says what is wrong. */
export function validateCommonName(cn: string, what = "CN"): string {
  if (cn.length === 0) throw usageError("bad-cn", `${what} is empty: give a name such as --cn dbuser_dba`);
  if (cn.length > MAX_COMMON_NAME_LENGTH) {
    throw usageError(
      "bad-cn",
      `${what} is ${cn.length} characters long: at most ${MAX_COMMON_NAME_LENGTH} are allowed`,
    );
  }
  const problem = describeBadCharacter(cn);
  if (problem) throw usageError("bad-cn", `${what} ${JSON.stringify(cn)} ${problem}: ${NAME_ADVICE}`);
  if (cn.includes("..")) throw usageError("bad-cn", `${what} ${JSON.stringify(cn)} contains "..": use a plain name`);
  if (cn.includes("*")) {
    throw usageError(
      "bad-cn",
      `${what} ${JSON.stringify(cn)} contains "*": wildcards belong in --san (with --allow-wildcard)`,
    );
  }
  if (!COMMON_NAME_PATTERN.test(cn)) {
    throw usageError("bad-cn", `${what} ${JSON.stringify(cn)} has characters pgwarden does not accept: ${NAME_ADVICE}`);
  }
  return cn;
}

/** Names the first dangerous character class in a name, for a precise error message. */
export function describeBadCharacter(value: string): string | undefined {
  if (value.includes("\0")) return "contains a NUL byte";
  if (/[\r\n]/.test(value)) return "contains a newline";

  if (/[\x00-\x1f\x7f]/.test(value)) return "contains a control character";
  if (/["'`]/.test(value)) return "contains a quote";
  if (/[/\\]/.test(value)) return "contains a slash";
  if (/\s/.test(value)) return "contains white space";
  return undefined;
}
