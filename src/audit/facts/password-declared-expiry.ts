import { type DeclaredRole, declaredRoles } from "../../config/declared-roles.js";
import { effectiveVars } from "../../config/inventory.js";
import { type Fact, FactUnavailable } from "../fact.js";

/** A role the inventory gives an expiry (pg_users or pg_default_roles: expire_in or expire_at), and where. */
export interface DeclaredExpiry {
  readonly role: string;
  readonly expiry: NonNullable<DeclaredRole["expiry"]>;
  readonly source?: DeclaredRole["source"];
}

/**
 * The roles the inventory asks to expire, for the server's cluster (and instance): only when the
 * audit was given an inventory that holds the server; otherwise there is nothing to compare with.
 */
export const declaredExpiryFact: Fact<readonly DeclaredExpiry[]> = {
  id: "password-declared-expiry",
  scope: "server",
  collect(source) {
    const scope = source.inventory;
    if (scope?.cluster === undefined)
      return Promise.reject(
        new FactUnavailable({ kind: "not-applicable", reason: "no inventory cluster holds this server" }),
      );
    const roles = declaredRoles(effectiveVars(scope.inventory, scope.cluster, scope.host));
    return Promise.resolve(
      [...roles.values()].flatMap((role) =>
        role.state === "create" && role.expiry !== undefined
          ? [{ role: role.name, expiry: role.expiry, ...(role.source ? { source: role.source } : {}) }]
          : [],
      ),
    );
  },
};
