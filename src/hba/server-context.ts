import type pg from "pg";

import { isInsufficientPrivilege } from "../pg/sqlstate.js";
import type { LintContext } from "./lint/lint-rule.js";

const SUPERUSERS_SQL = "SELECT rolname FROM pg_catalog.pg_roles WHERE rolsuper ORDER BY rolname";
const SSL_SQL = "SELECT current_setting('ssl') AS ssl";
/** pg_ident_file_mappings exists from PostgreSQL 15 on. */
const HAS_IDENT_VIEW_SQL = "SELECT to_regclass('pg_catalog.pg_ident_file_mappings') IS NOT NULL AS present";
const IDENT_MAPS_SQL =
  "SELECT DISTINCT map_name FROM pg_catalog.pg_ident_file_mappings WHERE error IS NULL AND map_name IS NOT NULL ORDER BY map_name";

/**
 * What a running server tells lint beyond its HBA rules: which roles are superusers
 * (pg_roles.rolsuper), whether it runs with ssl on, and the map names of its pg_ident.conf
 * (pg_ident_file_mappings: PostgreSQL 15 and later, and only for a role allowed to read it;
 * otherwise the maps stay unknown and the map check stays quiet).
 */
export async function readServerContext(client: pg.Client): Promise<LintContext> {
  const superusers = (await client.query<{ rolname: string }>(SUPERUSERS_SQL)).rows.map((row) => row.rolname);
  const ssl = (await client.query<{ ssl: string }>(SSL_SQL)).rows[0]?.ssl === "on";
  const identMaps = await readIdentMaps(client);
  return identMaps === undefined ? { superusers, ssl } : { superusers, ssl, identMaps };
}

async function readIdentMaps(client: pg.Client): Promise<string[] | undefined> {
  const view = await client.query<{ present: boolean }>(HAS_IDENT_VIEW_SQL);
  if (!view.rows[0]?.present) return undefined;
  try {
    return (await client.query<{ map_name: string }>(IDENT_MAPS_SQL)).rows.map((row) => row.map_name);
  } catch (error) {
    if (isInsufficientPrivilege(error)) return undefined;
    throw error;
  }
}
