import type pg from "pg";

import { ExitCode, PgwardenError } from "../../core/errors.js";
import { normalizeSerial } from "../../pki/encoding/serial.js";

/** One backend connected over TLS, as pg_stat_ssl and pg_stat_activity show it. */
export interface TlsSession {
  readonly pid: number;
  readonly user: string | null;
  readonly database: string | null;
  /** The client's address, null over a Unix socket. */
  readonly clientAddress: string | null;
  readonly tlsVersion: string | null;
  readonly cipher: string | null;
  /** The client certificate's subject (RFC 2253), null without one. */
  readonly clientDn: string | null;
  /** The client certificate's serial in lower-case hex (pg_stat_ssl gives it in decimal), null without one. */
  readonly clientSerial: string | null;
  /** The client certificate's issuer (RFC 2253). */
  readonly issuerDn: string | null;
  readonly backendStart: string | null;
  /** This very connection (pgwarden's own). */
  readonly own: boolean;
}

interface SessionRow {
  pid: number;
  usename: string | null;
  datname: string | null;
  client_addr: string | null;
  version: string | null;
  cipher: string | null;
  client_dn: string | null;
  client_serial: string | null;
  issuer_dn: string | null;
  backend_start: Date | null;
  own: boolean;
}

/** pg_stat_ssl.client_serial is a decimal numeric; certificate records write serials in hex. */
export function decimalSerialToHex(decimal: string): string {
  return normalizeSerial(BigInt(decimal).toString(16));
}

/**
 * Other roles' sessions show no TLS details to a role without pg_read_all_stats: a list made
 * without it would call a revoked session absent. So it is refused (exit 6) instead.
 */
async function requireStatsVisibility(client: pg.Client): Promise<void> {
  const result = await client.query<{ sees: boolean; user: string }>(
    "SELECT current_user AS user, (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) " +
      "OR pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS sees",
  );
  const row = result.rows[0];
  if (!row?.sees)
    throw new PgwardenError(
      "cannot-see-sessions",
      `${row?.user ?? "this role"} cannot see other roles' sessions: connect as a superuser or a member of pg_read_all_stats`,
      ExitCode.privilege,
    );
}

/** Every open TLS session of the server, oldest backend first. */
export async function listTlsSessions(client: pg.Client): Promise<TlsSession[]> {
  await requireStatsVisibility(client);
  const result = await client.query<SessionRow>(
    `SELECT a.pid, a.usename, a.datname, host(a.client_addr) AS client_addr, s.version, s.cipher, s.client_dn,
            s.client_serial::text AS client_serial, s.issuer_dn, a.backend_start, a.pid = pg_catalog.pg_backend_pid() AS own
       FROM pg_catalog.pg_stat_ssl s JOIN pg_catalog.pg_stat_activity a USING (pid)
      WHERE s.ssl
      ORDER BY a.backend_start, a.pid`,
  );
  return result.rows.map((row) => ({
    pid: row.pid,
    user: row.usename,
    database: row.datname,
    clientAddress: row.client_addr,
    tlsVersion: row.version,
    cipher: row.cipher,
    clientDn: row.client_dn,
    clientSerial: row.client_serial === null ? null : decimalSerialToHex(row.client_serial),
    issuerDn: row.issuer_dn,
    backendStart: row.backend_start === null ? null : row.backend_start.toISOString(),
    own: row.own,
  }));
}
