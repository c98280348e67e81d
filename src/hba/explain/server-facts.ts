import type pg from "pg";
import type { ServerContext } from "../match.js";

/** What a running server says about the rules' context and about one role. */
export interface ServerFactsForRole {
  readonly server: ServerContext;
  /** Whether the role exists on the server. */
  readonly roleExists: boolean;
  /** Every role it is a member of, directly or through others (pg_auth_members), itself excluded. */
  readonly memberOf: readonly string[];
}

const SERVER_SQL = "SELECT current_setting('server_version_num')::int AS version_num, host(inet_server_addr()) AS server_address";

/**
 * Memberships as hba.c is_member sees them (is_member_of_role_nosuper): every chain of
 * grants counts, whatever INHERIT says, and being a superuser makes no one a member.
 * The role name is a parameter, never part of the SQL text.
 */
const MEMBERSHIPS_SQL = `WITH RECURSIVE member_of(oid) AS (
    SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1
  UNION
    SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN member_of ON m.member = member_of.oid
)
SELECT r.rolname FROM member_of JOIN pg_catalog.pg_roles r ON r.oid = member_of.oid ORDER BY r.rolname`;

/** The server's major version and the address `client` reached it on, and `role`'s memberships. */
export async function readServerFacts(client: pg.Client, role: string): Promise<ServerFactsForRole> {
  const server = (await client.query<{ version_num: number; server_address: string | null }>(SERVER_SQL)).rows[0];
  const names = (await client.query<{ rolname: string }>(MEMBERSHIPS_SQL, [role])).rows.map((row) => row.rolname);
  const context: ServerContext = {
    majorVersion: Math.floor((server?.version_num ?? 0) / 10_000),
    // A socket connection has no server address; a TCP one names one the server surely has.
    addresses: server?.server_address ? [server.server_address] : [],
  };
  return { server: context, roleExists: names.includes(role), memberOf: names.filter((name) => name !== role) };
}
