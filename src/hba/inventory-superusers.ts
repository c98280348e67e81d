import { instanceVars, type Inventory } from "../config/inventory.js";
import { PIGSTY_DEFAULTS } from "../config/pigsty-defaults.js";

/**
 * The superusers an inventory declares for an instance: the OS superuser's role (pg_dbsu)
 * and the admin user (pg_admin_username), which Pigsty creates as superusers.
 */
export function inventorySuperusers(inventory: Inventory, cluster: string, host?: string): string[] {
  const vars = { ...PIGSTY_DEFAULTS, ...instanceVars(inventory, cluster, host) };
  return [...new Set([vars.pg_dbsu, vars.pg_admin_username].filter((name): name is string => typeof name === "string" && name !== ""))];
}
