import type { DesiredRole } from "../desired-role.js";
import { quoteIdentifier } from "../identifier.js";
import type { CatalogRole } from "../role-catalog.js";
import { RoleChange } from "../role-change.js";
import type { RoleExistence } from "./role-existence.js";

/**
 * GRANT for each declared membership the role does not have, REVOKE for each one declared
 * `state: revoke` that it has. Memberships the inventory does not mention are left alone, as
 * Pigsty leaves them. A granted role must exist or be created by the same plan.
 */
export function membershipChanges(role: DesiredRole, current: CatalogRole | undefined, existence: RoleExistence): RoleChange[] {
  const changes: RoleChange[] = [];
  const memberOf = new Set(current?.memberOf ?? []);
  for (const membership of role.memberships) {
    if (membership.state === "grant" && !memberOf.has(membership.role)) {
      existence.require(membership.role, role, "roles");
      changes.push(new RoleChange("grant-membership", role.name, `grant ${membership.role} to ${role.name}`, `GRANT ${quoteIdentifier(membership.role)} TO ${quoteIdentifier(role.name)}`));
    } else if (membership.state === "revoke" && memberOf.has(membership.role)) {
      changes.push(new RoleChange("revoke-membership", role.name, `revoke ${membership.role} from ${role.name}`, `REVOKE ${quoteIdentifier(membership.role)} FROM ${quoteIdentifier(role.name)}`));
    }
  }
  return changes;
}
