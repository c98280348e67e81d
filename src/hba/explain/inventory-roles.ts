import { z } from "zod";
import type { InventoryVars } from "../../config/schema.js";

/** A role of the inventory (pg_default_roles, pg_users) and the roles granted to it. */
export interface RoleGrants {
  readonly name: string;
  readonly roles: readonly string[];
}

/**
 * Pigsty's pg_default_roles as far as memberships go: the roles each default role or user is
 * granted. Source: pgsty/pigsty roles/pgsql/defaults/main.yml at commit
 * 0a6fec9c61e76033e0e76aebaa128d57c26781e5 (the same as PIGSTY_DEFAULTS).
 */
export const PIGSTY_DEFAULT_ROLES: readonly RoleGrants[] = [
  { name: "dbrole_readonly", roles: [] },
  { name: "dbrole_offline", roles: [] },
  { name: "dbrole_readwrite", roles: ["dbrole_readonly"] },
  { name: "dbrole_admin", roles: ["pg_monitor", "dbrole_readwrite"] },
  { name: "postgres", roles: [] },
  { name: "replicator", roles: ["pg_monitor", "dbrole_readonly"] },
  { name: "dbuser_dba", roles: ["dbrole_admin"] },
  { name: "dbuser_monitor", roles: ["pg_monitor", "dbrole_readonly"] },
];

/**
 * The parts of a pg_default_roles or pg_users entry that memberships need. pgwarden does not
 * validate these lists (they belong to role management): entries without a name are skipped.
 */
const roleEntry = z.looseObject({ name: z.string().min(1), roles: z.array(z.string()).optional() });

function grantsOf(value: unknown): RoleGrants[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const parsed = roleEntry.safeParse(entry);
    return parsed.success ? [{ name: parsed.data.name, roles: parsed.data.roles ?? [] }] : [];
  });
}

/**
 * Every role each role of the inventory is a member of, directly or through others, as
 * Pigsty would create them: pg_default_roles (Pigsty's own list when the inventory sets none)
 * and pg_users. A role the inventory does not define is a member of nothing.
 */
export function inventoryMemberships(vars: InventoryVars): (role: string) => string[] {
  const defaults = vars.pg_default_roles === undefined ? PIGSTY_DEFAULT_ROLES : grantsOf(vars.pg_default_roles);
  const direct = new Map<string, Set<string>>();
  for (const { name, roles } of [...defaults, ...grantsOf(vars.pg_users)]) {
    const granted = direct.get(name) ?? new Set<string>();
    for (const role of roles) granted.add(role);
    direct.set(name, granted);
  }
  return (role) => {
    const seen = new Set<string>();
    const visit = (name: string) => {
      for (const granted of direct.get(name) ?? []) {
        if (seen.has(granted) || granted === role) continue;
        seen.add(granted);
        visit(granted);
      }
    };
    visit(role);
    return [...seen].sort();
  };
}
