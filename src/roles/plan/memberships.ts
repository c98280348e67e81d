import { quoteIdentifier } from "../../core/identifier.js";
import type { DesiredRole } from "../desired-role.js";
import type { CatalogRole, RoleCatalog } from "../role-catalog.js";
import { RoleChange } from "../role-change.js";
import { membershipLockout } from "./lockout.js";
import type { RoleExistence } from "./role-existence.js";

/**
 * GRANT for each declared membership the role does not have, REVOKE for each one declared
 * `state: revoke` that it has. Memberships the inventory does not mention are left alone, as
 * Pigsty leaves them. A granted role must exist or be created by the same plan. A revoke that
 * takes away the connection's way to its superuser role is marked (see membershipLockout).
 */
export function membershipChanges(
  role: DesiredRole,
  current: CatalogRole | undefined,
  existence: RoleExistence,
  catalog: RoleCatalog,
): RoleChange[] {
  const changes: RoleChange[] = [];
  const memberOf = new Set(current?.memberOf ?? []);
  for (const membership of role.memberships) {
    if (membership.state === "grant" && !memberOf.has(membership.role)) {
      existence.require(membership.role, role, "roles");
      changes.push(
        new RoleChange(
          "grant-membership",
          role.name,
          `grant ${membership.role} to ${role.name}`,
          `GRANT ${quoteIdentifier(membership.role)} TO ${quoteIdentifier(role.name)}`,
        ),
      );
    } else if (membership.state === "revoke" && memberOf.has(membership.role)) {
      const sql = `REVOKE ${quoteIdentifier(membership.role)} FROM ${quoteIdentifier(role.name)}`;
      const lockout = membershipLockout(role.name, membership.role, catalog);
      changes.push(
        new RoleChange(
          "revoke-membership",
          role.name,
          `revoke ${membership.role} from ${role.name}`,
          sql,
          sql,
          lockout,
        ),
      );
    }
  }
  return changes;
}
