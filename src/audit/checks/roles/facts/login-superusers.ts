import { type Fact } from "../../../fact.js";

/** A superuser that can log in. */
export interface LoginSuperuser {
  readonly name: string;
  /** pg_roles.oid: the lowest was made first. */
  readonly oid: number;
  /** The bootstrap superuser initdb made (oid 10): it cannot be dropped. */
  readonly bootstrap: boolean;
  /** Whether it has a password; null when the auditor may not read pg_authid (only superusers may). */
  readonly hasPassword: boolean | null;
}

/**
 * The superusers that can log in, oldest first, and whether each has a password: a
 * passwordless superuser can only come in by peer, ident or certificate, as Pigsty keeps its
 * `postgres` (reference 001: "No password (local only)"). pg_roles for anyone, pg_authid
 * (the password's presence, never the verifier) when the auditor is a superuser.
 */
export const loginSuperusersFact: Fact<readonly LoginSuperuser[]> = {
  id: "roles/login-superusers",
  scope: "server",
  async collect(source) {
    const readable = await source.client.query<{ readable: boolean }>(
      "SELECT pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS readable",
    );
    const passwords = readable.rows[0]?.readable === true;
    const result = await source.client.query<{ oid: number; rolname: string; has_password: boolean | null }>(
      passwords
        ? `SELECT a.oid::int8::float8 AS oid, a.rolname, a.rolpassword IS NOT NULL AS has_password
           FROM pg_catalog.pg_authid a WHERE a.rolsuper AND a.rolcanlogin ORDER BY a.oid`
        : `SELECT r.oid::int8::float8 AS oid, r.rolname, NULL::boolean AS has_password
           FROM pg_catalog.pg_roles r WHERE r.rolsuper AND r.rolcanlogin ORDER BY r.oid`,
    );
    return result.rows.map((row) => ({
      name: row.rolname,
      oid: row.oid,
      bootstrap: row.oid === BOOTSTRAP_SUPERUSER_OID,
      hasPassword: row.has_password,
    }));
  },
};

/** initdb's superuser always has this oid (BOOTSTRAP_SUPERUSERID in PostgreSQL's pg_authid.dat). */
const BOOTSTRAP_SUPERUSER_OID = 10;
