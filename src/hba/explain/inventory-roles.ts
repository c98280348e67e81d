import { z } from "zod";
import { PIGSTY_DEFAULTS } from "../../config/pigsty-defaults.js";
import type { InventoryVars } from "../../config/schema.js";

/** A role of the inventory (pg_default_roles, pg_users) and the roles granted to it. */
export interface RoleGrants {
  readonly name: string;
  readonly roles: readonly string[];
}

/**
 * The parts of a pg_default_roles or pg_users entry that memberships need. pgwarden does not
 * validate these lists here (role management does): entries without a name are skipped. A
 * membership is a role name or `{name, state}`; `state: revoke` is no membership.
 */
const membership = z.union([z.string().min(1), z.looseObject({ name: z.string().min(1), state: z.string().optional() })]);
const roleEntry = z.looseObject({ name: z.string().min(1), roles: z.array(z.unknown()).nullable().optional() });

function grantedRoles(roles: readonly unknown[] | null | undefined): string[] {
  return (roles ?? []).flatMap((entry) => {
    const parsed = membership.safeParse(entry);
    if (!parsed.success) return [];
    if (typeof parsed.data === "string") return [parsed.data];
    return parsed.data.state === "revoke" ? [] : [parsed.data.name];
  });
}

function grantsOf(value: unknown): RoleGrants[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const parsed = roleEntry.safeParse(entry);
    return parsed.success ? [{ name: parsed.data.name, roles: grantedRoles(parsed.data.roles) }] : [];
  });
}

/** Pigsty's pg_default_roles (config/pigsty-defaults.ts) as far as memberships go. */
const PIGSTY_DEFAULT_ROLES: readonly RoleGrants[] = grantsOf(PIGSTY_DEFAULTS.pg_default_roles);

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
