import { type Fact, FactUnavailable } from "../fact.js";

/** One TCP session open on the server now (client backend or WAL sender), with its TLS state. */
export interface TlsSession {
  readonly pid: number;
  readonly user: string | null;
  readonly database: string | null;
  readonly clientAddress: string;
  readonly backendType: string;
  readonly ssl: boolean;
  readonly version: string | null;
  readonly cipher: string | null;
  /** One of the audit's own sessions (the main connection or a per-database one: ServerSource.auditBackends). */
  readonly own: boolean;
}

interface SessionRow {
  readonly pid: number;
  readonly usename: string | null;
  readonly datname: string | null;
  readonly client_addr: string;
  readonly backend_type: string;
  readonly ssl: boolean | null;
  readonly version: string | null;
  readonly cipher: string | null;
  readonly own: boolean;
}

/**
 * The sessions connected over TCP right now and whether each is TLS (pg_stat_activity joined
 * with pg_stat_ssl, one query). Other roles' client addresses are shown only to superusers and
 * members of pg_read_all_stats, so without it the fact is unavailable rather than partial.
 */
export const tlsSessionsFact: Fact<readonly TlsSession[]> = {
  id: "tls-sessions",
  scope: "server",
  async collect(source) {
    const allowed = await source.client.query<{ allowed: boolean }>(
      "SELECT pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS allowed",
    );
    if (!allowed.rows[0]?.allowed)
      throw new FactUnavailable({
        kind: "privilege",
        reason: "other roles' sessions (client address, TLS) are hidden from this role",
        grant: "GRANT pg_read_all_stats TO <auditor> (or pg_monitor)",
      });
    const rows = await source.client.query<SessionRow>(
      `SELECT a.pid, a.usename, a.datname, host(a.client_addr) AS client_addr, a.backend_type, s.ssl, s.version, s.cipher,
         a.pid = pg_catalog.pg_backend_pid() AS own
       FROM pg_catalog.pg_stat_activity a JOIN pg_catalog.pg_stat_ssl s ON s.pid = a.pid
       WHERE a.client_addr IS NOT NULL AND a.backend_type IN ('client backend', 'walsender')
       ORDER BY a.pid`,
    );
    const ownPids = source.auditBackends;
    return rows.rows.map((row) => ({
      pid: row.pid,
      user: row.usename,
      database: row.datname,
      clientAddress: row.client_addr,
      backendType: row.backend_type,
      ssl: row.ssl === true,
      version: row.version,
      cipher: row.cipher,
      // Read when a check asks, after every fact is collected: a per-database connection of the audit opened while
      // this query ran has its pid in auditBackends only once its own query returned.
      get own() {
        return row.own || ownPids.has(row.pid);
      },
    }));
  },
};
