import { problemAt } from "../../config/problem-list.js";
import { ExitCode, PgwardenError } from "../../core/errors.js";
import { sourcePrefix } from "../../core/source-location.js";
import type { DesiredRole } from "../desired-role.js";
import type { RoleCatalog } from "../role-catalog.js";

/** Which roles exist once the plan has run: the catalog's, plus the ones it creates, minus the ones it drops. */
export class RoleExistence {
  readonly #exists: (name: string) => boolean;
  readonly #absent: ReadonlySet<string>;

  constructor(catalog: RoleCatalog, roles: readonly DesiredRole[]) {
    const created = new Set(roles.filter((role) => role.state === "create").map((role) => role.name));
    this.#absent = new Set(roles.filter((role) => role.state === "absent").map((role) => role.name));
    this.#exists = (name) => created.has(name) || (catalog.roles.has(name) && !this.#absent.has(name));
  }

  has(name: string): boolean {
    return this.#exists(name);
  }

  /** Throws an invalid config (exit 3) when `name`, which `role`'s `field` refers to, will not exist. */
  require(name: string, role: DesiredRole | undefined, field: string): void {
    if (this.#exists(name)) return;
    const where = sourcePrefix(role?.source);
    const why = this.#absent.has(name)
      ? "is declared state: absent"
      : "does not exist and is not declared in pg_default_roles or pg_users";
    const message = `${role ? `${role.name}: ` : ""}${field}: role ${JSON.stringify(name)} ${why}`;
    throw new PgwardenError(
      "unknown-role",
      `${where}${message}`,
      ExitCode.config,
      role?.source ? { problems: [problemAt(role.source, message)] } : undefined,
    );
  }
}
