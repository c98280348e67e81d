import type pg from "pg";

import type { DefaultAclObjectType } from "../config/default-privilege.js";
import type { RoleAttribute } from "./desired-role.js";

/** What other objects hold on a role, per database (`""` for shared objects: databases, tablespaces). */
export interface RoleDependents {
  readonly database: string;
  /** Objects the role owns (pg_shdepend deptype o), default-privilege entries included. */
  readonly owned: number;
  /** Objects on which the role holds privileges (deptype a and i). */
  readonly privileges: number;
}

/** One role of the live catalog (pg_authid), as the planner compares it. */
export interface CatalogRole {
  readonly name: string;
  readonly attributes: Readonly<Record<RoleAttribute, boolean>>;
  readonly connectionLimit: number;
  /** rolpassword: a SCRAM verifier, an md5 secret, or null. Never printed. */
  readonly secret: string | null;
  /** rolvaliduntil as a UTC date YYYY-MM-DD, `infinity`, `-infinity`, or null when unset. */
  readonly validUntil: string | null;
  readonly comment: string | null;
  /** Settings for every database (pg_db_role_setting with setdatabase 0): name to value. */
  readonly settings: Readonly<Record<string, string>>;
  /** Roles this one is a direct member of. */
  readonly memberOf: readonly string[];
  readonly dependents: readonly RoleDependents[];
}

/** One effective default privilege: hard-wired defaults where pg_default_acl has no entry. */
export interface DefaultAclItem {
  readonly owner: string;
  readonly objectType: DefaultAclObjectType;
  readonly privilege: string;
  /** null for PUBLIC. */
  readonly grantee: string | null;
}

/** The live state the role planner compares the inventory with. */
export interface RoleCatalog {
  readonly currentUser: string;
  /** The role the connection logged in as (differs from currentUser after SET ROLE). */
  readonly sessionUser: string;
  /** The bootstrap superuser (oid 10): initdb's superuser, whatever it is called. */
  readonly bootstrapSuperuser: string;
  /** The server's clock at the read (now()), to tell an expiry in the past. */
  readonly now: Date;
  /** Default privileges and the public schema belong to this database. */
  readonly database: string;
  readonly roles: ReadonlyMap<string, CatalogRole>;
  /** For the roles asked about (the privilege owners) only. */
  readonly defaultAcl: readonly DefaultAclItem[];
  /** Whether schema public exists in this database and PUBLIC may create in it. */
  readonly publicSchema: { readonly exists: boolean; readonly publicCreate: boolean };
}

const ROLES_SQL = `SELECT a.rolname, a.rolsuper, a.rolinherit, a.rolcreaterole, a.rolcreatedb, a.rolcanlogin, a.rolreplication, a.rolbypassrls,
  a.rolconnlimit, a.rolpassword,
  CASE WHEN a.rolvaliduntil IS NULL THEN NULL
       WHEN isfinite(a.rolvaliduntil) THEN to_char(a.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD')
       ELSE a.rolvaliduntil::text END AS valid_until,
  pg_catalog.shobj_description(a.oid, 'pg_authid') AS comment,
  coalesce((SELECT s.setconfig FROM pg_catalog.pg_db_role_setting s WHERE s.setrole = a.oid AND s.setdatabase = 0), '{}') AS settings,
  coalesce((SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_authid g ON g.oid = m.roleid WHERE m.member = a.oid), '{}') AS member_of
FROM pg_catalog.pg_authid a ORDER BY a.rolname`;

const DEPENDENTS_SQL = `SELECT r.rolname, coalesce(db.datname, '') AS database,
  count(*) FILTER (WHERE d.deptype = 'o')::int AS owned,
  count(*) FILTER (WHERE d.deptype IN ('a', 'i'))::int AS privileges
FROM pg_catalog.pg_shdepend d
JOIN pg_catalog.pg_authid r ON d.refclassid = 'pg_catalog.pg_authid'::regclass AND d.refobjid = r.oid
LEFT JOIN pg_catalog.pg_database db ON db.oid = d.dbid
WHERE d.deptype IN ('o', 'a', 'i')
GROUP BY r.rolname, db.datname`;

/** pg_default_acl's letters; acldefault() spells sequences 's' where pg_default_acl says 'S'. */
const DEFAULT_ACL_SQL = `SELECT r.rolname AS owner, o.objtype::text AS object_type, e.privilege_type, g.rolname AS grantee
FROM pg_catalog.pg_roles r
CROSS JOIN (VALUES ('r'::"char"), ('S'::"char"), ('f'::"char"), ('T'::"char"), ('n'::"char")) AS o(objtype)
LEFT JOIN pg_catalog.pg_default_acl d ON d.defaclrole = r.oid AND d.defaclnamespace = 0 AND d.defaclobjtype = o.objtype
CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(d.defaclacl, pg_catalog.acldefault(CASE WHEN o.objtype = 'S' THEN 's'::"char" ELSE o.objtype END, r.oid))) AS e
LEFT JOIN pg_catalog.pg_roles g ON g.oid = e.grantee
WHERE r.rolname = ANY($1::text[])`;

/** The session's role and database, and the database's public schema. */
const SESSION_SQL = `SELECT current_user, session_user, current_database() AS database, now() AS now,
  (SELECT rolname FROM pg_catalog.pg_authid WHERE oid = 10) AS bootstrap_superuser,
  EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'public') AS exists,
  EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) e
          WHERE n.nspname = 'public' AND e.grantee = 0 AND e.privilege_type = 'CREATE') AS public_create`;

interface RoleRow {
  rolname: string;
  rolsuper: boolean;
  rolinherit: boolean;
  rolcreaterole: boolean;
  rolcreatedb: boolean;
  rolcanlogin: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolconnlimit: number;
  rolpassword: string | null;
  valid_until: string | null;
  comment: string | null;
  settings: string[];
  member_of: string[];
}

interface SessionRow {
  current_user: string;
  session_user: string;
  bootstrap_superuser: string;
  now: Date;
  database: string;
  exists: boolean;
  public_create: boolean;
}

function settingsOf(config: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const entry of config) {
    const equals = entry.indexOf("=");
    if (equals > 0) settings[entry.slice(0, equals).toLowerCase()] = entry.slice(equals + 1);
  }
  return settings;
}

/**
 * Reads roles, memberships, role settings, comments and dependents (shared catalogs), and
 * the default privileges of `owners` and the public schema of the connected database, with
 * fixed, parameterised queries. pg_authid holds the stored secrets: only a superuser may read
 * it, so callers check with requireSuperuser first.
 */
export async function readRoleCatalog(client: pg.Client, owners: readonly string[]): Promise<RoleCatalog> {
  const roles = await client.query<RoleRow>(ROLES_SQL);
  const dependents = await client.query<{ rolname: string; database: string; owned: number; privileges: number }>(
    DEPENDENTS_SQL,
  );
  const acl = await client.query<{
    owner: string;
    object_type: DefaultAclObjectType;
    privilege_type: string;
    grantee: string | null;
  }>(DEFAULT_ACL_SQL, [owners]);
  const dependentsOf = new Map<string, RoleDependents[]>();
  for (const row of dependents.rows)
    dependentsOf.set(row.rolname, [
      ...(dependentsOf.get(row.rolname) ?? []),
      { database: row.database, owned: row.owned, privileges: row.privileges },
    ]);
  const catalogRoles = new Map<string, CatalogRole>();
  for (const row of roles.rows) {
    catalogRoles.set(row.rolname, {
      name: row.rolname,
      attributes: {
        login: row.rolcanlogin,
        superuser: row.rolsuper,
        createdb: row.rolcreatedb,
        createrole: row.rolcreaterole,
        inherit: row.rolinherit,
        replication: row.rolreplication,
        bypassrls: row.rolbypassrls,
      },
      connectionLimit: row.rolconnlimit,
      secret: row.rolpassword,
      validUntil: row.valid_until,
      comment: row.comment,
      settings: settingsOf(row.settings),
      memberOf: row.member_of,
      dependents: dependentsOf.get(row.rolname) ?? [],
    });
  }
  const session = (await client.query<SessionRow>(SESSION_SQL)).rows[0] as SessionRow;
  return {
    currentUser: session.current_user,
    sessionUser: session.session_user,
    bootstrapSuperuser: session.bootstrap_superuser,
    now: session.now,
    database: session.database,
    roles: catalogRoles,
    defaultAcl: acl.rows.map((row) => ({
      owner: row.owner,
      objectType: row.object_type,
      privilege: row.privilege_type,
      grantee: row.grantee,
    })),
    publicSchema: { exists: session.exists, publicCreate: session.public_create },
  };
}
