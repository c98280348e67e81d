import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";

import { problemAt } from "../config/problem-list.js";
import type { PasswordInput } from "../config/role-entry.js";
import { ExitCode, PgwardenError } from "../core/errors.js";
import { type SourceLocation, sourcePrefix } from "../core/source-location.js";
import type { DesiredPassword } from "./desired-role.js";
import { isMd5Secret } from "./md5.js";
import { isScramVerifier } from "./scram.js";

export interface PasswordSourceContext {
  /** The inventory's directory: `{file: PATH}` is read relative to it. */
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The first line of a password file, without its line ending. */
function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

/**
 * Names for messages: `label` is what holds the password (`pg_users app: password`), `key`
 * the inventory key it came from (`pg_users`, `pg_admin_password`).
 */
export interface PasswordOrigin {
  readonly label: string;
  readonly key: string;
  /** Where the entry holding the password was written, when the password object itself has no place. */
  readonly written?: SourceLocation;
}

/**
 * The password `input` declares, read from the environment or a file when it says so. A
 * missing variable, an unreadable file or an empty password is an invalid config (exit 3)
 * naming `file:line` and the label; the message never holds the password itself. The
 * result's `from` says where it came from (`pg_users (env APP_PASSWORD)`), for later messages.
 */
export async function resolvePassword(
  input: PasswordInput,
  origin: PasswordOrigin,
  context: PasswordSourceContext,
): Promise<DesiredPassword> {
  // Where the password object was written, else the entry holding it: for messages and the result.
  const source = (typeof input === "string" ? undefined : input.source) ?? origin.written;
  const fail = (message: string, cause?: unknown) =>
    new PgwardenError("password-source", `${sourcePrefix(source)}${origin.label}: ${message}`, ExitCode.config, {
      cause,
      // Placed, so that role plan can list it with the model's other problems.
      ...(source ? { problems: [problemAt(source, `${origin.label}: ${message}`)] } : {}),
    });
  let value: string;
  let from: string;
  if (typeof input === "string") {
    value = input;
    from = origin.key;
  } else if ("env" in input) {
    const found = context.env[input.env];
    if (found === undefined) throw fail(`the environment variable ${input.env} is not set`);
    value = found;
    from = `${origin.key} (env ${input.env})`;
  } else {
    const path = isAbsolute(input.file) ? input.file : join(context.baseDir, input.file);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? "does not exist"
          : `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      throw fail(`the password file ${path} ${reason}`, error);
    }
    value = firstLine(text);
    from = `${origin.key} (file ${path})`;
  }
  if (value === "") throw fail("the password is empty");
  if (value.includes("\0")) throw fail("the password contains a NUL character");
  if (isScramVerifier(value)) return { kind: "scram", secret: value, from, source };
  // PostgreSQL would store a damaged verifier's text as if it were a password: refuse the copy mistake.
  if (value.startsWith("SCRAM-SHA-256$")) throw fail("starts like a SCRAM-SHA-256 secret but is not a valid one");
  if (isMd5Secret(value)) return { kind: "md5", secret: value, from, source };
  return { kind: "plaintext", value, from, source };
}
