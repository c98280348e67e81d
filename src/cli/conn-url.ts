import { Option } from "commander";
import type pg from "pg";

import { type ConnectOptions, connectSuperuser } from "../pg/connect.js";
import { resolveConnection } from "../pg/conninfo/resolve.js";
import { trustedRootsFile } from "../pki/authority/trust-anchors.js";
import { DEFAULT_PKI_DIR, pkiLayout } from "../pki/pki-layout.js";

/** What every --conn's help says once: both of libpq's forms, and where the rest comes from. */
export const CONN_FORMS_HELP =
  "a URL (postgresql://USER@HOST:PORT/DB?sslmode=verify-full) or keyword=value pairs (host=HOST user=USER sslmode=verify-full), as psql takes; " +
  "what it leaves out comes from PGSERVICE/pg_service.conf, PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY " +
  "and libpq's defaults (socket /var/run/postgresql, ~/.postgresql/root.crt); the password from PGPASSWORD or ~/.pgpass (PGPASSFILE), never from --conn";

/**
 * A `--conn` is a connection string as libpq reads it (URL or keyword=value), checked as
 * psql would check it once PGSERVICE, PG* variables and defaults fill the rest: an unknown
 * keyword (`sslmod`) or a bad value (`sslmode=bogus`, a port outside 1..65535) is refused
 * naming it; the files it names are read when TLS starts, as libpq reads them. It may name the user, never the password:
 * argv is visible to every user of the machine (ps, /proc) and lands in shell history.
 * {@link connOption} checks it as argv is parsed, so bad input costs nothing.
 */
export function checkConn(conn: string): void {
  resolveConnection(conn, { env: process.env, source: "--conn" });
}

/** `--conn <string>`, checked by {@link checkConn} while argv is parsed: before any file is read or any connection made. */
export const connOption = (help: string) =>
  new Option("--conn <string>", help).argParser((value: string) => {
    checkConn(value);
    return value;
  });

/**
 * The PKI's CA certificate (its roots bundle first during a rotation), named in a message when the server's
 * certificate chains to it but not to the sslrootcert given.
 */
export function candidateRoots(pkiDir?: string): string[] {
  const layout = pkiLayout(pkiDir ?? process.env.PGWARDEN_PKI ?? DEFAULT_PKI_DIR);
  // During a CA rotation ca/roots.crt holds the new root and the old: named first, it verifies servers of either.
  return [...new Set([trustedRootsFile(layout), layout.caCert])];
}

/** What a connection needs of its command: where its warnings go (the Output, so they reach JSON too) and the PKI to name. */
export interface ConnectionContext {
  readonly output: { warn(text: string): void };
  readonly pkiDir: string;
}

/** connectSuperuser's options for a command: its warnings to its output, its PKI's CA named when verification fails. */
export function connectOptions(context: ConnectionContext): ConnectOptions {
  return { candidateRoots: candidateRoots(context.pkiDir), warn: (text) => context.output.warn(text) };
}

/**
 * Runs `work` on a superuser connection (exit 5 when it cannot connect), closing it after.
 * Without `conn`, PGSERVICE, the PG* variables and libpq's defaults decide, as for psql. Its
 * warnings go to the command's output; a server certificate that fails verification but chains
 * to the CA of its PKI (--pki, else PGWARDEN_PKI or ./pki) is named in the error as the sslrootcert to use.
 */
export async function withConnection<T>(
  conn: string | undefined,
  work: (client: pg.Client) => Promise<T>,
  context: ConnectionContext,
): Promise<T> {
  const client = await connectSuperuser(conn, connectOptions(context));
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
