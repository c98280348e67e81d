import type pg from "pg";

import type { ServerContext } from "../match.js";
import { type PasswordKind, passwordKindSql } from "../stored-password.js";
import type { LoginFacts } from "./login-checks.js";

/** What a running server says about the rules' context and about one role. */
export interface ServerFactsForRole {
  readonly server: ServerContext;
  /** Whether the role exists on the server. */
  readonly roleExists: boolean;
  /** Every role it is a member of, directly or through others (pg_auth_members), itself excluded. */
  readonly memberOf: readonly string[];
  /** When the role exists and a database was named: what the server checks after the pg_hba line. */
  readonly login?: LoginFacts;
}

const SERVER_SQL =
  "SELECT current_setting('server_version_num')::int AS version_num, host(inet_server_addr()) AS server_address";

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

/**
 * The role's and the database's facts from pg_roles and pg_database (readable by every role);
 * the expiry by the server's clock. Names are parameters, never part of the SQL text.
 */
const LOGIN_SQL = `SELECT r.rolsuper AS superuser, r.rolcanlogin AS can_login, r.rolreplication AS replication, r.rolconnlimit AS role_limit,
  coalesce(d.datconnlimit, -1) AS db_limit,
  coalesce(r.rolvaliduntil < pg_catalog.now(), false) AS expired, r.rolvaliduntil::text AS valid_until,
  d.oid IS NOT NULL AS db_exists, coalesce(d.datallowconn, false) AS allow_connections,
  coalesce(pg_catalog.has_database_privilege(r.oid, d.oid, 'CONNECT'), false) AS can_connect,
  pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS reads_authid
FROM pg_catalog.pg_roles r LEFT JOIN pg_catalog.pg_database d ON d.datname = $2
WHERE r.rolname = $1`;

/** The stored password's kind, never the secret; pg_authid is for superusers only. */
const PASSWORD_KIND_SQL = `SELECT ${passwordKindSql("rolpassword")} AS kind FROM pg_catalog.pg_authid WHERE rolname = $1`;

interface LoginRow {
  superuser: boolean;
  role_limit: number;
  db_limit: number;
  can_login: boolean;
  replication: boolean;
  expired: boolean;
  valid_until: string | null;
  db_exists: boolean;
  allow_connections: boolean;
  can_connect: boolean;
  reads_authid: boolean;
}

async function readLoginFacts(
  client: pg.Client,
  role: string,
  database: string,
  majorVersion: number,
): Promise<LoginFacts | undefined> {
  const row = (await client.query<LoginRow>(LOGIN_SQL, [role, database])).rows[0];
  if (!row) return undefined;
  const kind = row.reads_authid
    ? (await client.query<{ kind: PasswordKind }>(PASSWORD_KIND_SQL, [role])).rows[0]?.kind
    : undefined;
  const password = {
    ...(kind !== undefined ? { kind } : {}),
    expired: row.expired,
    ...(row.valid_until !== null ? { validUntil: row.valid_until } : {}),
  };
  return {
    role: {
      superuser: row.superuser,
      canLogin: row.can_login,
      replication: row.replication,
      connectionLimit: row.role_limit,
      password,
    },
    database: {
      exists: row.db_exists,
      allowConnections: row.allow_connections,
      canConnect: row.can_connect,
      connectionLimit: row.db_limit,
    },
    majorVersion,
  };
}

/**
 * The server's major version and the address `client` reached it on, and `role`'s memberships;
 * with `database`, what the server checks of both once a pg_hba line lets the client through.
 */
export async function readServerFacts(client: pg.Client, role: string, database?: string): Promise<ServerFactsForRole> {
  const server = (await client.query<{ version_num: number; server_address: string | null }>(SERVER_SQL)).rows[0];
  const names = (await client.query<{ rolname: string }>(MEMBERSHIPS_SQL, [role])).rows.map((row) => row.rolname);
  const context: ServerContext = {
    majorVersion: Math.floor((server?.version_num ?? 0) / 10_000),
    // A socket connection has no server address; a TCP one names one the server surely has.
    addresses: server?.server_address ? [server.server_address] : [],
  };
  const login =
    database === undefined ? undefined : await readLoginFacts(client, role, database, context.majorVersion ?? 0);
  return {
    server: context,
    roleExists: names.includes(role),
    memberOf: names.filter((name) => name !== role),
    ...(login ? { login } : {}),
  };
}
