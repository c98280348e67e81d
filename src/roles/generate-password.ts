import { randomInt } from "node:crypto";

import { usageError } from "../core/errors.js";
import { CHARACTER_CLASSES, passwordViolations } from "./password-policy.js";

export const DEFAULT_GENERATED_LENGTH = 24;
/** Below this, a password from {@link PASSWORD_ALPHABET} carries under 72 bits. */
export const MIN_GENERATED_LENGTH = 12;
export const MAX_GENERATED_LENGTH = 1024;

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/**
 * URL-unreserved symbols (RFC 3986): nothing to percent-encode in a postgresql:// URL, no
 * quoting in a libpq keyword=value string or a .pgpass line (no `:`, `\`, `'`, blank), and
 * no YAML or shell meaning inside a word. The first and last characters are alphanumeric,
 * so a YAML plain scalar never starts with `-` and no shell sees a leading `~`.
 */
const SAFE_SYMBOLS = "-._~";
export const PASSWORD_ALPHABET = ALPHANUMERIC + SAFE_SYMBOLS;

export interface GenerateOptions {
  /** Default {@link DEFAULT_GENERATED_LENGTH}; at least {@link MIN_GENERATED_LENGTH}. */
  readonly length?: number;
  /** The role it is for: the password never contains its name. */
  readonly roleName?: string;
  /** A uniform integer in [0, max); default crypto.randomInt. Injected by tests. */
  readonly randomBelow?: (max: number) => number;
}

/**
 * A strong random password: every character drawn uniformly (no modulo bias) from
 * {@link PASSWORD_ALPHABET}, about 6 bits each, redrawn until it has a lower- and
 * upper-case letter, a digit and a symbol and passes the password policy.
 */
export function generatePassword(options: GenerateOptions = {}): string {
  const length = options.length ?? DEFAULT_GENERATED_LENGTH;
  if (!Number.isInteger(length) || length < MIN_GENERATED_LENGTH || length > MAX_GENERATED_LENGTH) {
    throw usageError(
      "bad-length",
      `a generated password has ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH} characters`,
    );
  }
  const randomBelow = options.randomBelow ?? ((max: number) => randomInt(max));
  const pick = (alphabet: string) => alphabet.charAt(randomBelow(alphabet.length));
  for (;;) {
    const middle = Array.from({ length: length - 2 }, () => pick(PASSWORD_ALPHABET)).join("");
    const password = pick(ALPHANUMERIC) + middle + pick(ALPHANUMERIC);
    if (passwordViolations(password, options.roleName ?? "", { requiredClasses: CHARACTER_CLASSES }).length === 0)
      return password;
  }
}
