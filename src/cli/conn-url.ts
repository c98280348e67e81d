import type pg from "pg";
import { usageError } from "../errors.js";
import { connectSuperuser } from "../pg/alter-system.js";

/** `password=...` in a keyword/value connection string. */
const KEYWORD_PASSWORD = /(^|\s)password\s*=/i;

/**
 * A `--conn` given on the command line may name the user, never the password: argv is
 * visible to every user of the machine (ps, /proc) and lands in shell history. The
 * password comes from PGPASSWORD or ~/.pgpass.
 */
export function assertNoPasswordInConn(conn: string): void {
  let inUrl = false;
  try {
    const url = new URL(conn);
    inUrl = url.password !== "" || url.searchParams.has("password");
  } catch {
    // Not a URL (a keyword/value string or a socket directory): the pattern below decides.
  }
  if (inUrl || KEYWORD_PASSWORD.test(conn)) throw usageError("password-in-argv", "--conn must not contain a password: set PGPASSWORD or use ~/.pgpass");
}

/** The superuser connection a command's `--conn` names, refused before any network traffic if it carries a password. */
export async function connectConn(conn: string): Promise<pg.Client> {
  assertNoPasswordInConn(conn);
  return connectSuperuser(conn);
}
