import { Option } from "commander";
import type pg from "pg";
import { usageError } from "../errors.js";
import { connectSuperuser } from "../pg/connect.js";

/** What node-postgres reads as a connection: a postgres(ql):// URL or a socket directory (not libpq's keyword=value form). */
const CONNECTION_FORMS = /^(postgres(ql)?:\/\/|\/)/;

/**
 * A `--conn` must be a connection URL (or socket directory) that node-postgres reads as
 * meant, and may name the user, never the password: argv is visible to every user of the
 * machine (ps, /proc) and lands in shell history. The password comes from PGPASSWORD or
 * ~/.pgpass. {@link connOption} checks it as argv is parsed, so bad input costs nothing.
 */
export function checkConn(conn: string): void {
  if (!CONNECTION_FORMS.test(conn.trim())) {
    // node-postgres would read "host=... " as a database name on a host called "base".
    throw usageError("bad-conn", `--conn ${JSON.stringify(conn)} is not a connection URL: give postgresql://USER@HOST:PORT/DB (keyword=value strings are not read here)`);
  }
  let inUrl = false;
  try {
    const url = new URL(conn);
    inUrl = url.password !== "" || url.searchParams.has("password");
  } catch {
    // A socket directory: it cannot carry a password.
  }
  if (inUrl) throw usageError("password-in-argv", "--conn must not contain a password: set PGPASSWORD or use ~/.pgpass");
}

/** `--conn <url>`, checked by {@link checkConn} while argv is parsed: before any file is read or any connection made. */
export const connOption = (help: string) =>
  new Option("--conn <url>", help).argParser((value: string) => {
    checkConn(value);
    return value;
  });

/** Runs `work` on a superuser connection to `--conn` (exit 5 when it cannot connect), closing it after. */
export async function withConnection<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectSuperuser(url);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
