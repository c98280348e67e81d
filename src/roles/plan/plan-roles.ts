import { ProblemCollector } from "../../config/problem-collector.js";
import type { RoleCatalog } from "../role-catalog.js";
import { ROLE_CHANGE_KINDS, RoleChange } from "../role-change.js";
import type { RoleModel } from "../role-model.js";
import { defaultPrivilegeChanges } from "./default-privileges.js";
import { dropRole } from "./drop-role.js";
import { attributeLockout } from "./lockout.js";
import { membershipChanges } from "./memberships.js";
import { alterRole, createRole } from "./role-attributes.js";
import { RoleExistence } from "./role-existence.js";
import { commentChange, parameterChanges } from "./role-settings.js";
import { planScramIterations } from "./scram-iterations.js";

export interface RolePlanOptions {
  /** Iterations of new SCRAM verifiers, 4096 (the default) to 2147483647: see {@link planScramIterations}. */
  readonly scramIterations?: number;
  /** A fresh salt per verifier; default 16 random bytes. Injected by tests. */
  readonly salt?: () => Buffer;
}

/** The minimal, ordered change that makes the catalog say what the inventory says. */
export interface RolePlan {
  readonly cluster: string;
  /** The database whose default privileges and public schema the plan covers. */
  readonly database: string;
  readonly changes: readonly RoleChange[];
  readonly warnings: readonly string[];
}

const KIND_ORDER = new Map(ROLE_CHANGE_KINDS.map((kind, index) => [kind, index]));

/**
 * Plans the role changes from the inventory's model and the live catalog: roles are created
 * first (so memberships and default privileges can name them), then attributes, parameters,
 * comments, memberships, default privileges, the public schema, and drops last. A second plan
 * after the changes ran is empty. Pure: the catalog is read, and the changes are run, elsewhere.
 * The model's passwords are checked before this, by checkDeclaredPasswords, before any server is
 * reached (role plan, role apply and quickstart all do).
 */
export function planRoles(model: RoleModel, catalog: RoleCatalog, options: RolePlanOptions = {}): RolePlan {
  const passwords = {
    iterations: planScramIterations(options.scramIterations),
    encryption: model.passwordEncryption,
    salt: options.salt,
  };
  const existence = new RoleExistence(catalog, model.roles);
  const changes: RoleChange[] = [];
  // A role the plan refuses (a drop, an unknown member role) does not hide the others': all are reported.
  const problems = new ProblemCollector("problems with the declared roles");
  for (const role of model.roles) {
    problems.runSync(() => {
      const current = catalog.roles.get(role.name);
      if (role.state === "absent") {
        if (current) changes.push(dropRole(role, current, catalog));
        return;
      }
      const attributes = current ? alterRole(role, current, passwords) : createRole(role, passwords);
      const lockout = attributes && current ? attributeLockout(role, current, catalog) : undefined;
      if (attributes) changes.push(lockout ? attributes.lockingOut(lockout) : attributes);
      changes.push(...parameterChanges(role, current, catalog));
      const comment = commentChange(role, current);
      if (comment) changes.push(comment);
      changes.push(...membershipChanges(role, current, existence, catalog));
    });
  }
  problems.throwIfAny();
  const privileges = defaultPrivilegeChanges(model.privilegeOwners, model.defaultPrivileges, catalog, existence);
  changes.push(...privileges.changes);
  if (catalog.publicSchema.exists && catalog.publicSchema.publicCreate) {
    changes.push(
      new RoleChange(
        "revoke-public-create",
        undefined,
        "revoke CREATE on schema public from PUBLIC",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
      ),
    );
  }
  // A stable sort keeps the inventory's order within each kind.
  const ordered = [...changes].sort((a, b) => (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0));
  const lockouts = ordered
    .filter((change) => change.locksOut !== undefined)
    .map((change) => `${change.sql} locks operators out: ${change.locksOut}; role apply refuses it without --force`);
  return {
    cluster: model.cluster,
    database: catalog.database,
    changes: ordered,
    warnings: [...model.warnings, ...privileges.warnings, ...lockouts],
  };
}
