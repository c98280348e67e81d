import { type PasswordKind, passwordKindSql } from "../stored-password.js";

export type { PasswordKind } from "../stored-password.js";

/**
 * What `hba apply` asks the server before it writes anything: the session pgwarden itself
 * uses (as the server sees it), the bootstrap superuser, memberships, and what lint needs.
 * One JSON document, so psql (--pgdata) and node-postgres (--conn) read it the same way.
 */
export interface ApplyFacts {
  readonly sessionUser: string;
  readonly database: string;
  /** Null over the unix socket. */
  readonly clientAddress: string | null;
  /** The address the client reached, null over the unix socket. */
  readonly serverAddress: string | null;
  readonly versionNum: number;
  readonly ssl: boolean;
  readonly clientDn: string | null;
  readonly gssEncrypted: boolean;
  /** The role with oid 10, made by initdb. */
  readonly bootstrapSuperuser: string;
  readonly superusers: readonly string[];
  /** `ssl` of the server. */
  readonly serverSsl: boolean;
  /** For the session user and the bootstrap superuser: every role each is a member of (hba.c is_member), itself excluded. */
  readonly memberOf: Readonly<Record<string, readonly string[]>>;
  /**
   * For the session user and the bootstrap superuser: the kind of password verifier the role
   * has (pg_authid), never the verifier itself. Absent when not asked (older callers).
   */
  readonly passwordKinds?: Readonly<Record<string, PasswordKind>>;
}

/** One line of pg_ident.conf as the server reads it (pg_ident_file_mappings, PostgreSQL 15+). */
export interface IdentMapping {
  readonly map: string | null;
  readonly sys: string | null;
  readonly pg: string | null;
  readonly error: string | null;
}

/** pg_ident.conf as the server reads it; fails on servers before 15 (no such view): pgwarden then cannot tell what a map does. */
export const IDENT_MAPPINGS_SQL = `SELECT coalesce(json_agg(json_build_object('map', map_name, 'sys', sys_name, 'pg', pg_username, 'error', error) ORDER BY line_number), '[]') AS doc
  FROM pg_catalog.pg_ident_file_mappings`;

/** No role name is ever part of the text: session_user and oid 10 are asked for in SQL. */
export const APPLY_FACTS_SQL = `SELECT json_build_object(
  'sessionUser', session_user,
  'database', pg_catalog.current_database(),
  'clientAddress', pg_catalog.host(pg_catalog.inet_client_addr()),
  'serverAddress', pg_catalog.host(pg_catalog.inet_server_addr()),
  'versionNum', pg_catalog.current_setting('server_version_num')::int,
  'ssl', coalesce((SELECT s.ssl FROM pg_catalog.pg_stat_ssl s WHERE s.pid = pg_catalog.pg_backend_pid()), false),
  'clientDn', (SELECT s.client_dn FROM pg_catalog.pg_stat_ssl s WHERE s.pid = pg_catalog.pg_backend_pid()),
  'gssEncrypted', coalesce((SELECT g.encrypted FROM pg_catalog.pg_stat_gssapi g WHERE g.pid = pg_catalog.pg_backend_pid()), false),
  'bootstrapSuperuser', (SELECT rolname FROM pg_catalog.pg_roles WHERE oid = 10),
  'superusers', (SELECT coalesce(json_agg(rolname ORDER BY rolname), '[]') FROM pg_catalog.pg_roles WHERE rolsuper),
  'serverSsl', pg_catalog.current_setting('ssl') = 'on',
  'memberOf', (SELECT json_object_agg(r.rolname, (
      WITH RECURSIVE member_of(oid) AS (
          SELECT r.oid
        UNION
          SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN member_of ON m.member = member_of.oid)
      SELECT coalesce(json_agg(x.rolname ORDER BY x.rolname), '[]') FROM member_of JOIN pg_catalog.pg_roles x ON x.oid = member_of.oid WHERE x.oid <> r.oid))
    FROM pg_catalog.pg_roles r WHERE r.rolname = session_user OR r.oid = 10),
  'passwordKinds', (SELECT json_object_agg(a.rolname, ${passwordKindSql("a.rolpassword")})
    FROM pg_catalog.pg_authid a WHERE a.rolname = session_user OR a.oid = 10)
) AS doc`;

/**
 * The CN of a subject DN as pg_stat_ssl.client_dn prints it (`/CN=x/O=y` up to 15,
 * RFC 2253 `CN=x,O=y` after): the name cert authentication compares with the role.
 */
export function commonNameOf(dn: string): string | undefined {
  const match = dn.startsWith("/") ? /\/CN=([^/]*)/.exec(dn) : /(?:^|,)CN=((?:\\.|[^,])*)/.exec(dn);
  return match?.[1]?.replace(/\\(.)/g, "$1");
}
