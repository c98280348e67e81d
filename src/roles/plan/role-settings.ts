import { quoteIdentifier, quoteLiteral } from "../../core/identifier.js";
import type { DesiredRole } from "../desired-role.js";
import type { CatalogRole, RoleCatalog } from "../role-catalog.js";
import { RoleChange } from "../role-change.js";
import { parameterMatches, parameterNameSql, parameterValueSql } from "../role-parameter.js";
import { settingLockout } from "./lockout.js";

const shown = (value: string | readonly string[]) => (typeof value === "string" ? value : value.join(", "));

/** ALTER ROLE ... SET for each stated parameter whose stored value differs, RESET for one stated as null. */
export function parameterChanges(
  role: DesiredRole,
  current: CatalogRole | undefined,
  catalog: RoleCatalog,
): RoleChange[] {
  const changes: RoleChange[] = [];
  for (const parameter of role.parameters) {
    const stored = current?.settings[parameter.name];
    if (parameterMatches(stored, parameter)) continue;
    const target = `ALTER ROLE ${quoteIdentifier(role.name)}`;
    if (parameter.value === null) {
      changes.push(
        new RoleChange(
          "reset-parameter",
          role.name,
          `${role.name}: reset ${parameter.name} (was ${stored})`,
          `${target} RESET ${parameterNameSql(parameter.name)}`,
        ),
      );
    } else {
      const was = stored === undefined ? "" : ` (was ${stored})`;
      const sql = `${target} SET ${parameterNameSql(parameter.name)} = ${parameterValueSql(parameter.value)}`;
      const change = new RoleChange(
        "set-parameter",
        role.name,
        `${role.name}: ${parameter.name} = ${shown(parameter.value)}${was}`,
        sql,
      );
      const lockout = settingLockout(role.name, parameter.name, catalog);
      changes.push(lockout ? change.lockingOut(lockout) : change);
    }
  }
  return changes;
}

/** COMMENT ON ROLE when the stored comment is not the declared one. */
export function commentChange(role: DesiredRole, current: CatalogRole | undefined): RoleChange | undefined {
  // PostgreSQL keeps an empty comment as no comment at all: '' and none are the same.
  if ((current?.comment ?? "") === role.comment) return undefined;
  if (role.comment === "")
    return new RoleChange(
      "comment",
      role.name,
      `${role.name}: no comment`,
      `COMMENT ON ROLE ${quoteIdentifier(role.name)} IS NULL`,
    );
  return new RoleChange(
    "comment",
    role.name,
    `${role.name}: comment "${role.comment}"`,
    `COMMENT ON ROLE ${quoteIdentifier(role.name)} IS ${quoteLiteral(role.comment)}`,
  );
}
