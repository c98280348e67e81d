import type pg from "pg";

import { ExitCode, PgwardenError } from "../../core/errors.js";
import { isInsufficientPrivilege } from "../../pg/sqlstate.js";
import { MINUS_INFINITY_MS, type StoredRole } from "./stored-role.js";

/**
 * rolvaliduntil as epoch milliseconds: float8 comes back as a JavaScript number, with
 * 'infinity' as Infinity, so no time zone or date parsing is involved.
 */
const STORED_ROLES_SQL = `SELECT rolname, rolpassword, rolcanlogin, rolsuper,
  extract(epoch FROM rolvaliduntil)::float8 * 1000 AS valid_until_ms
  FROM pg_catalog.pg_authid ORDER BY rolname`;

interface AuthidRow {
  readonly rolname: string;
  readonly rolpassword: string | null;
  readonly rolcanlogin: boolean;
  readonly rolsuper: boolean;
  readonly valid_until_ms: number | null;
}

/** Every role of the server with its stored secret; reading pg_authid needs a superuser (exit 6 otherwise). */
export async function readStoredRoles(client: pg.Client): Promise<StoredRole[]> {
  let rows: AuthidRow[];
  try {
    rows = (await client.query<AuthidRow>(STORED_ROLES_SQL)).rows;
  } catch (error) {
    if (isInsufficientPrivilege(error)) {
      throw new PgwardenError(
        "authid-denied",
        "reading pg_authid (the stored passwords) needs a superuser: connect as postgres or another superuser",
        ExitCode.privilege,
        { cause: error },
      );
    }
    throw error;
  }
  return rows.map((row) => ({
    name: row.rolname,
    secret: row.rolpassword,
    canLogin: row.rolcanlogin,
    superuser: row.rolsuper,
    validUntil: validUntil(row.valid_until_ms),
  }));
}

/** 'infinity' never expires (null); '-infinity' has always expired (the earliest Date). */
function validUntil(ms: number | null): Date | null {
  if (ms === null || ms === Infinity) return null;
  return new Date(ms === -Infinity ? MINUS_INFINITY_MS : ms);
}
