/**
 * Whether `pg tls --pgdata` reloads the server: only with --reload, and then when the plan
 * changed something, or when nothing changed but the server may not serve what is installed
 * (an earlier reload failed): "if-stale" asks the caller to look before reloading.
 */
export type PgdataReload = "reload" | "no-reload" | "if-stale";

export function pgdataReload(reloadAsked: boolean, planChanged: boolean): PgdataReload {
  if (!reloadAsked) return "no-reload";
  return planChanged ? "reload" : "if-stale";
}

/** `pg tls --conn` reloads (pg_reload_conf) whenever a file or an ALTER SYSTEM setting changed: there is no --reload to ask. */
export function connReloads(planChanged: boolean, settingsChanged: readonly string[]): boolean {
  return planChanged || settingsChanged.length > 0;
}
