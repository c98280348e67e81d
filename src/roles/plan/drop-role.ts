import { problemAt } from "../../config/problem-list.js";
import { ExitCode, PgwardenError } from "../../core/errors.js";
import { quoteIdentifier } from "../../core/identifier.js";
import { sourcePrefix } from "../../core/source-location.js";
import type { DesiredRole } from "../desired-role.js";
import type { CatalogRole, RoleCatalog } from "../role-catalog.js";
import { RoleChange } from "../role-change.js";

function refuse(role: DesiredRole, reason: string): PgwardenError {
  const message = `${role.name}: state: absent, but pgwarden will not drop it: ${reason}`;
  const problems = role.source ? { problems: [problemAt(role.source, message)] } : undefined;
  return new PgwardenError("drop-refused", `${sourcePrefix(role.source)}${message}`, ExitCode.config, problems);
}

const NEVER_DROPPED = "postgres";

const objects = (count: number) => `${count} ${count === 1 ? "object" : "objects"}`;
const inDatabase = (database: string) =>
  database === "" ? "shared objects (databases, tablespaces)" : `database ${database}`;

/**
 * DROP ROLE for a role declared absent that exists. Refused (exit 3) for `postgres` and the
 * system users, the bootstrap superuser, the connection's own roles (current and session user),
 * PostgreSQL's reserved pg_ roles, and a role that owns objects or holds privileges anywhere:
 * pgwarden does not REASSIGN OWNED or DROP OWNED on its own, so the message says where they are.
 */
export function dropRole(role: DesiredRole, current: CatalogRole, catalog: RoleCatalog): RoleChange {
  // postgres is never dropped, whoever the inventory names as dbsu: it is PostgreSQL's usual bootstrap superuser.
  if (role.system || role.name === NEVER_DROPPED) throw refuse(role, "it is a system user");
  if (role.name === catalog.bootstrapSuperuser) throw refuse(role, "it is the bootstrap superuser (oid 10)");
  if (role.name === catalog.currentUser) throw refuse(role, "it is the role this connection uses");
  if (role.name === catalog.sessionUser) throw refuse(role, "it is the role this connection logged in as");
  if (role.name.startsWith("pg_")) throw refuse(role, "pg_ roles are PostgreSQL's own");
  const held = current.dependents.filter((dependent) => dependent.owned > 0 || dependent.privileges > 0);
  if (held.length > 0) {
    const parts = held.map((dependent) => {
      const what = [
        dependent.owned > 0 ? `owns ${objects(dependent.owned)}` : "",
        dependent.privileges > 0 ? `holds privileges on ${objects(dependent.privileges)}` : "",
      ]
        .filter(Boolean)
        .join(" and ");
      return `${what} in ${inDatabase(dependent.database)}`;
    });
    throw refuse(
      role,
      `it ${parts.join("; ")}: reassign or drop those first (REASSIGN OWNED BY, DROP OWNED BY in each database)`,
    );
  }
  return new RoleChange("drop-role", role.name, `drop role ${role.name}`, `DROP ROLE ${quoteIdentifier(role.name)}`);
}
