import { type Fact } from "../../../fact.js";

/** A replication connection the server is serving now (pg_stat_replication), by the role it logged in as. */
export interface WalSender {
  readonly user: string;
  readonly superuser: boolean;
  readonly applicationName: string | null;
  /** Hidden (null) unless the auditor has pg_read_all_stats; null also for a unix-socket client. */
  readonly clientAddress: string | null;
  readonly state: string | null;
}

/**
 * Who is replicating from the server now: pg_stat_replication's role (usesysid, usename) is
 * shown to any role, only the connection details need pg_read_all_stats.
 */
export const walSendersFact: Fact<readonly WalSender[]> = {
  id: "roles/wal-senders",
  scope: "server",
  async collect(source) {
    const result = await source.client.query<{
      usename: string | null;
      rolsuper: boolean | null;
      application_name: string | null;
      client_addr: string | null;
      state: string | null;
    }>(
      `SELECT s.usename, r.rolsuper, s.application_name, s.client_addr::text AS client_addr, s.state
       FROM pg_catalog.pg_stat_replication s LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.usesysid ORDER BY s.pid`,
    );
    return result.rows.map((row) => ({
      user: row.usename ?? "(unknown)",
      superuser: row.rolsuper === true,
      applicationName: row.application_name,
      clientAddress: row.client_addr,
      state: row.state,
    }));
  },
};
