import { type Fact } from "../fact.js";

/** A role and its attributes as pg_roles shows them to anyone (no password). */
export interface RoleInfo {
  readonly name: string;
  readonly superuser: boolean;
  readonly login: boolean;
  readonly createRole: boolean;
  readonly createDb: boolean;
  readonly replication: boolean;
  readonly bypassRls: boolean;
  readonly inherit: boolean;
  /** -1: no limit. */
  readonly connectionLimit: number;
  /** VALID UNTIL, ISO 8601; null for never (none, or 'infinity'); `-infinity` for a password that never was valid. */
  readonly validUntil: string | null;
  /** The roles it is a direct member of. */
  readonly memberOf: readonly string[];
}

interface RoleRow {
  readonly rolname: string;
  readonly rolsuper: boolean;
  readonly rolcanlogin: boolean;
  readonly rolcreaterole: boolean;
  readonly rolcreatedb: boolean;
  readonly rolreplication: boolean;
  readonly rolbypassrls: boolean;
  readonly rolinherit: boolean;
  readonly rolconnlimit: number;
  readonly valid_until_epoch: number | null;
  readonly member_of: string[];
}

/**
 * Every role with its attributes and direct memberships (pg_roles, pg_auth_members): readable
 * by any role, so these checks run for any auditor. Roles PostgreSQL makes (pg_*) included.
 */
export const rolesFact: Fact<readonly RoleInfo[]> = {
  id: "roles",
  scope: "server",
  async collect(source) {
    const result = await source.client.query<RoleRow>(
      `SELECT r.rolname, r.rolsuper, r.rolcanlogin, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
         r.rolinherit, r.rolconnlimit, EXTRACT(EPOCH FROM r.rolvaliduntil)::float8 AS valid_until_epoch,
         ARRAY(SELECT g.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
               WHERE m.member = r.oid ORDER BY g.rolname)::text[] AS member_of
       FROM pg_catalog.pg_roles r ORDER BY r.rolname`,
    );
    return result.rows.map((row) => ({
      name: row.rolname,
      superuser: row.rolsuper,
      login: row.rolcanlogin,
      createRole: row.rolcreaterole,
      createDb: row.rolcreatedb,
      replication: row.rolreplication,
      bypassRls: row.rolbypassrls,
      inherit: row.rolinherit,
      connectionLimit: row.rolconnlimit,
      validUntil: validUntilText(row.valid_until_epoch),
      memberOf: row.member_of,
    }));
  },
};

/** Read as seconds since the epoch, so 'infinity' (the same as no VALID UNTIL) and '-infinity' survive node-postgres. */
function validUntilText(epoch: number | null): string | null {
  if (epoch === null || epoch === Infinity) return null;
  if (epoch === -Infinity) return "-infinity";
  return new Date(epoch * 1000).toISOString();
}
