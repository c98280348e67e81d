import { type DeclaredRole, declaredRoles } from "../config/declared-roles.js";
import { effectiveVars, type Inventory, withPigstyDefaults } from "../config/inventory.js";
import type { InventoryVars } from "../config/schema.js";
import type { LintContext } from "./lint/lint-rule.js";

/**
 * The superusers an inventory declares for an instance: the OS superuser's role (pg_dbsu),
 * the admin user (pg_admin_username), and every role of pg_default_roles (Pigsty's when the
 * inventory has none) or pg_users whose entries make it `superuser: true` and do not drop it.
 */
function superusersIn(vars: InventoryVars, roles: ReadonlyMap<string, DeclaredRole>): string[] {
  // The dbsu is the bootstrap superuser and Pigsty creates the admin user as one: both count whatever their entries say.
  const system = [vars.pg_dbsu, vars.pg_admin_username].filter(
    (name): name is string => typeof name === "string" && name !== "",
  );
  const declared = [...roles]
    .filter(([, role]) => role.attributes.superuser === true && role.state !== "absent")
    .map(([name]) => name);
  return [...new Set([...system, ...declared])];
}

/** The roles `name` is a member of through granted memberships, nearest first (hba.c is_member follows them all, whatever INHERIT says). */
function memberOf(name: string, roles: ReadonlyMap<string, DeclaredRole>): string[] {
  const found = new Set<string>();
  const queue = [name];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const [group, state] of roles.get(next)?.memberships ?? []) {
      if (state === "revoke" || group === name || found.has(group) || roles.get(group)?.state === "absent") continue;
      found.add(group);
      queue.push(group);
    }
  }
  return [...found];
}

/**
 * Every role each role of the inventory is a member of, directly or through others, sorted:
 * pg_default_roles (Pigsty's own list when the inventory sets none) and pg_users, merged as
 * lint merges them (a later entry's revoke or `state: absent` has the last word). A role the
 * inventory does not define is a member of nothing.
 */
export function inventoryMemberships(vars: InventoryVars): (role: string) => string[] {
  const roles = declaredRoles(withPigstyDefaults(vars));
  return (role) => memberOf(role, roles).sort();
}

/** What an inventory tells lint: its superusers (see {@link superusersIn}) and the roles each one is a member of. */
export function inventoryLintContext(
  inventory: Inventory,
  cluster: string,
  host?: string,
): Pick<LintContext, "superusers" | "superuserMemberOf"> {
  const vars = effectiveVars(inventory, cluster, host);
  const roles = declaredRoles(vars);
  const superusers = superusersIn(vars, roles);
  return { superusers, superuserMemberOf: Object.fromEntries(superusers.map((name) => [name, memberOf(name, roles)])) };
}
