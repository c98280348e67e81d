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

/** What node-postgres reads as a connection: a postgres(ql):// URL or a socket directory (not libpq's keyword=value form). */
const CONNECTION_FORMS = /^(postgres(ql)?:\/\/|\/)/;

/** The superuser connection a command's `--conn` names, refused before any network traffic if it carries a password. */
export async function connectConn(conn: string): Promise<pg.Client> {
  if (!CONNECTION_FORMS.test(conn.trim())) {
    throw usageError("bad-conn", `--conn ${JSON.stringify(conn)} is not a connection URL: give postgresql://USER@HOST:PORT/DB (keyword=value strings are not read here)`);
  }
  assertNoPasswordInConn(conn);
  return connectSuperuser(conn);
}
