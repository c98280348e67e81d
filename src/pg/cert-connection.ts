import { readFile } from "node:fs/promises";

import type pg from "pg";

import { ExitCode, PgwardenError } from "../core/errors.js";
import { connectVerified } from "./connect.js";

/** Where to reach a server and which client certificate to log in with (cert authentication). */
export interface CertLogin {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database?: string;
  readonly caCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/**
 * A node-postgres connection with `sslmode=verify-full` semantics: the chain must reach
 * the CA and the certificate must name `host`; the client logs in with its certificate.
 */
export async function connectWithCertificate(login: CertLogin): Promise<pg.Client> {
  const [ca, cert, key] = await Promise.all([
    readFile(login.caCertPath, "utf8"),
    readFile(login.certPath, "utf8"),
    readFile(login.keyPath, "utf8"),
  ]);
  return connectVerified({ ...login, ca, clientCertificate: { cert, key } }, login.certPath);
}

/** TLS facts of the current session, from the server's own view (pg_stat_ssl). */
export interface SessionTls {
  readonly currentUser: string;
  readonly ssl: boolean;
  readonly version: string | null;
  readonly cipher: string | null;
  readonly clientDn: string | null;
}

export async function sessionTls(client: pg.Client): Promise<SessionTls> {
  const result = await client.query<{
    current_user: string;
    ssl: boolean;
    version: string | null;
    cipher: string | null;
    client_dn: string | null;
  }>("SELECT current_user, s.ssl, s.version, s.cipher, s.client_dn FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()");
  const row = result.rows[0];
  if (!row) throw new PgwardenError("no-session", "pg_stat_ssl has no row for this session", ExitCode.connection);
  return {
    currentUser: row.current_user,
    ssl: row.ssl,
    version: row.version,
    cipher: row.cipher,
    clientDn: row.client_dn,
  };
}

/**
 * Creates a login role when missing. The name travels as a bind parameter and is quoted
 * by the server's own format('%I'), never spliced into SQL here.
 */
export async function ensureLoginRole(client: pg.Client, role: string): Promise<"created" | "exists"> {
  const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
  if (exists.rowCount) return "exists";
  const statement = await client.query<{ sql: string }>("SELECT format('CREATE ROLE %I LOGIN', $1::text) AS sql", [
    role,
  ]);
  await client.query((statement.rows[0] as { sql: string }).sql);
  return "created";
}
