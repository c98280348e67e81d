import {
  DEFAULT_ACL_OBJECT_TYPES,
  type DefaultAclObjectType,
  type DefaultPrivilege,
  PRIVILEGES_OF,
} from "../../config/default-privilege.js";
import { quoteIdentifier } from "../../core/identifier.js";
import type { DefaultAclItem, RoleCatalog } from "../role-catalog.js";
import { RoleChange } from "../role-change.js";
import type { RoleExistence } from "./role-existence.js";

const OBJECTS_OF_TYPE = Object.fromEntries(
  Object.entries(DEFAULT_ACL_OBJECT_TYPES).map(([objects, type]) => [type, objects]),
) as Record<DefaultAclObjectType, keyof typeof PRIVILEGES_OF>;

/**
 * PostgreSQL's hard-wired default privileges (acldefault) for an owner with no pg_default_acl
 * entry yet: the owner holds everything on its objects; PUBLIC may execute functions and use types.
 */
function hardWired(owner: string): DefaultAclItem[] {
  const items: DefaultAclItem[] = [];
  for (const [type, objects] of Object.entries(OBJECTS_OF_TYPE) as [
    DefaultAclObjectType,
    keyof typeof PRIVILEGES_OF,
  ][]) {
    for (const privilege of PRIVILEGES_OF[objects]) items.push({ owner, objectType: type, privilege, grantee: owner });
  }
  items.push(
    { owner, objectType: "f", privilege: "EXECUTE", grantee: null },
    { owner, objectType: "T", privilege: "USAGE", grantee: null },
  );
  return items;
}

const key = (item: DefaultAclItem) =>
  `${item.owner}\u0000${item.objectType}\u0000${item.privilege}\u0000${item.grantee ?? ""}`;
const granteeSql = (grantee: string | null) => (grantee === null ? "PUBLIC" : quoteIdentifier(grantee));
const granteeWords = (grantee: string | null) => grantee ?? "PUBLIC";

export interface DefaultPrivilegePlan {
  readonly changes: RoleChange[];
  readonly warnings: string[];
}

/**
 * ALTER DEFAULT PRIVILEGES FOR ROLE each owner (dbsu, admin user, dbrole_admin, as Pigsty runs
 * them) for each declared entry, with only the privileges that are missing (GRANT) or present
 * (REVOKE) in the connected database's effective default ACL. Undeclared default privileges
 * are left alone. An owner that does not exist and is not declared is skipped with a warning.
 */
export function defaultPrivilegeChanges(
  owners: readonly string[],
  entries: readonly DefaultPrivilege[],
  catalog: RoleCatalog,
  existence: RoleExistence,
): DefaultPrivilegePlan {
  const warnings: string[] = [];
  const changes: RoleChange[] = [];
  const present = new Set(catalog.defaultAcl.map(key));
  for (const owner of owners) {
    if (!existence.has(owner)) {
      if (entries.length > 0)
        warnings.push(
          `default privileges FOR ROLE ${owner} are not planned: ${owner} does not exist and is not declared`,
        );
      continue;
    }
    // A role created by this plan has no entry yet: PostgreSQL's hard-wired defaults apply to it.
    if (!catalog.roles.has(owner)) for (const item of hardWired(owner)) present.add(key(item));
    // One statement per action, kind of object and grantee, with every privilege the entries want changed.
    const statements = new Map<
      string,
      {
        action: DefaultPrivilege["action"];
        objects: DefaultPrivilege["objects"];
        grantee: string | null;
        privileges: string[];
      }
    >();
    for (const entry of entries) {
      const objectType = DEFAULT_ACL_OBJECT_TYPES[entry.objects];
      for (const grantee of entry.grantees) {
        if (grantee !== null) existence.require(grantee, undefined, `pg_default_privileges "${entry.text}"`);
        for (const privilege of entry.privileges) {
          const item = key({ owner, objectType, privilege, grantee });
          if ((entry.action === "grant") === present.has(item)) continue;
          // Later entries see what earlier ones do: duplicates plan nothing twice, a later REVOKE undoes a GRANT.
          if (entry.action === "grant") present.add(item);
          else present.delete(item);
          const group = `${entry.action}\u0000${entry.objects}\u0000${grantee ?? ""}`;
          const statement = statements.get(group) ?? {
            action: entry.action,
            objects: entry.objects,
            grantee,
            privileges: [],
          };
          statement.privileges.push(privilege);
          statements.set(group, statement);
        }
      }
    }
    for (const { action, objects, grantee, privileges } of statements.values()) {
      const list = privileges.join(", ");
      const sql = `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdentifier(owner)} ${action === "grant" ? "GRANT" : "REVOKE"} ${list} ON ${objects} ${action === "grant" ? "TO" : "FROM"} ${granteeSql(grantee)}`;
      const summary = `default privileges of ${owner}: ${action} ${list} on ${objects.toLowerCase()} ${action === "grant" ? "to" : "from"} ${granteeWords(grantee)}`;
      changes.push(
        new RoleChange(
          action === "grant" ? "grant-default-privilege" : "revoke-default-privilege",
          owner,
          summary,
          sql,
        ),
      );
    }
  }
  return { changes, warnings };
}
