import { type Fact } from "../fact.js";
import { collectPerDatabase, type PerDatabase } from "./databases.js";

/** A schema (other than the system's) on which PUBLIC, so every role, may create objects. */
export interface SchemaOpenToPublic {
  readonly schema: string;
  readonly owner: string;
  /** pg_namespace.nspacl as the server prints it (`{postgres=UC/postgres,=UC/postgres}`); null for the default. */
  readonly acl: string | null;
}

/** A function or procedure (outside the system schemas) as the access checks see it. */
export interface RoutineSeen {
  readonly schema: string;
  readonly name: string;
  /** Its argument types, as ALTER ROUTINE needs them to name it (pg_get_function_identity_arguments). */
  readonly arguments: string;
  readonly owner: string;
  readonly ownerSuperuser: boolean;
  readonly language: string;
  /** The extension it belongs to, when it does: the fix is then the extension's upgrade. */
  readonly extension: string | null;
}

/** A procedural language that is not trusted: functions written in it reach the server's OS user. */
export interface UntrustedLanguage {
  readonly name: string;
  readonly owner: string;
  readonly extension: string | null;
  /** How many functions are written in it. */
  readonly functions: number;
  /** Its functions that PUBLIC may execute (at most 20), so any role runs its code. */
  readonly publicFunctions: readonly RoutineSeen[];
}

/** A table, view or foreign table (not an extension's) with privileges granted to PUBLIC. */
export interface RelationOpenToPublic {
  readonly schema: string;
  readonly name: string;
  /** pg_class.relkind: r table, p partitioned table, v view, m materialized view, f foreign table. */
  readonly kind: string;
  /** What PUBLIC holds (`SELECT`, `INSERT`...), sorted. */
  readonly privileges: readonly string[];
}

/** A table with row-level security policies that are not enforced, because row-level security is off on it. */
export interface UnenforcedPolicies {
  readonly schema: string;
  readonly table: string;
  readonly policies: readonly string[];
}

/** What the access-control checks read inside one database: its catalog is the database's own. */
export interface DatabaseCatalog {
  readonly schemasOpenToPublic: readonly SchemaOpenToPublic[];
  /** SECURITY DEFINER routines PUBLIC may execute and that fix no search_path (proconfig). */
  readonly securityDefinersWithoutSearchPath: readonly RoutineSeen[];
  readonly untrustedLanguages: readonly UntrustedLanguage[];
  readonly relationsOpenToPublic: readonly RelationOpenToPublic[];
  readonly unenforcedPolicies: readonly UnenforcedPolicies[];
}

// System schemas are excluded: PostgreSQL's own objects there are not the DBA's to fix.
const SYSTEM_SCHEMAS = `(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema')
  OR nspname LIKE 'pg\\_toast%' OR nspname LIKE 'pg\\_temp\\_%')`;
const PUBLIC_EXECUTES = (acl: string, owner: string) =>
  `EXISTS (SELECT 1 FROM pg_catalog.aclexplode(COALESCE(${acl}, pg_catalog.acldefault('f', ${owner}))) a
     WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')`;
const EXTENSION_OF = (catalog: string, oid: string) =>
  `(SELECT e.extname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
     WHERE d.classid = '${catalog}'::pg_catalog.regclass AND d.objid = ${oid}
       AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e' LIMIT 1)`;
const ROUTINE_JSON = `json_build_object('schema', n.nspname, 'name', p.proname,
  'arguments', pg_catalog.pg_get_function_identity_arguments(p.oid), 'owner', r.rolname, 'ownerSuperuser', r.rolsuper,
  'language', l.lanname, 'extension', ${EXTENSION_OF("pg_catalog.pg_proc", "p.oid")})`;
const ROUTINES = `pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_roles r ON r.oid = p.proowner JOIN pg_catalog.pg_language l ON l.oid = p.prolang`;

/**
 * One query, so one round trip per database: everything the access checks judge that lives in
 * a database's own catalog. Every catalog read here is readable by any role that may connect.
 */
const CATALOG_QUERY = `SELECT json_build_object(
  'schemasOpenToPublic', (SELECT COALESCE(json_agg(json_build_object('schema', n.nspname,
      'owner', pg_catalog.pg_get_userbyid(n.nspowner), 'acl', n.nspacl::text) ORDER BY n.nspname), '[]')
    FROM pg_catalog.pg_namespace n WHERE n.oid NOT IN ${SYSTEM_SCHEMAS}
      AND EXISTS (SELECT 1 FROM pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
                  WHERE a.grantee = 0 AND a.privilege_type = 'CREATE')),
  'securityDefinersWithoutSearchPath', (SELECT COALESCE(json_agg(${ROUTINE_JSON} ORDER BY n.nspname, p.proname, p.oid), '[]')
    FROM ${ROUTINES}
    WHERE p.prosecdef AND n.oid NOT IN ${SYSTEM_SCHEMAS}
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proconfig) c WHERE c LIKE 'search\\_path=%')
      AND ${PUBLIC_EXECUTES("p.proacl", "p.proowner")}),
  'untrustedLanguages', (SELECT COALESCE(json_agg(json_build_object('name', ul.lanname,
      'owner', pg_catalog.pg_get_userbyid(ul.lanowner), 'extension', ${EXTENSION_OF("pg_catalog.pg_language", "ul.oid")},
      'functions', (SELECT count(*) FROM pg_catalog.pg_proc f WHERE f.prolang = ul.oid),
      'publicFunctions', (SELECT COALESCE(json_agg(x.routine), '[]') FROM (SELECT ${ROUTINE_JSON} AS routine FROM ${ROUTINES}
          WHERE p.prolang = ul.oid AND ${PUBLIC_EXECUTES("p.proacl", "p.proowner")} ORDER BY n.nspname, p.proname, p.oid
          LIMIT 20) x)) ORDER BY ul.lanname), '[]')
    FROM pg_catalog.pg_language ul WHERE ul.lanispl AND NOT ul.lanpltrusted),
  'relationsOpenToPublic', (SELECT COALESCE(json_agg(json_build_object('schema', n.nspname, 'name', c.relname,
      'kind', c.relkind, 'privileges', x.privileges) ORDER BY n.nspname, c.relname), '[]')
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL (SELECT array_agg(DISTINCT a.privilege_type ORDER BY a.privilege_type) AS privileges
                        FROM pg_catalog.aclexplode(c.relacl) a WHERE a.grantee = 0) x
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.oid NOT IN ${SYSTEM_SCHEMAS} AND x.privileges IS NOT NULL
      AND ${EXTENSION_OF("pg_catalog.pg_class", "c.oid")} IS NULL),
  'unenforcedPolicies', (SELECT COALESCE(json_agg(json_build_object('schema', n.nspname, 'table', c.relname,
      'policies', (SELECT array_agg(pol.polname ORDER BY pol.polname) FROM pg_catalog.pg_policy pol WHERE pol.polrelid = c.oid))
      ORDER BY n.nspname, c.relname), '[]')
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_catalog.pg_policy pol WHERE pol.polrelid = c.oid))
) AS catalog`;

/**
 * In every database that allows connections: schemas PUBLIC may create in, SECURITY DEFINER
 * routines PUBLIC may run without a fixed search_path, untrusted languages, tables and views
 * granted to PUBLIC, and row-level security policies left unenforced. One round trip per
 * database; a database the auditor cannot enter is listed, not fatal.
 */
export const databaseCatalogFact: Fact<PerDatabase<DatabaseCatalog>> = {
  id: "database-catalog",
  scope: "server",
  collect(source) {
    return collectPerDatabase(source, async (client) => {
      const result = await client.query<{ catalog: DatabaseCatalog }>(CATALOG_QUERY);
      return (result.rows[0] as { catalog: DatabaseCatalog }).catalog;
    });
  },
};
