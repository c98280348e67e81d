import { effectiveVars, withPigstyDefaults } from "../../../../config/inventory.js";
import { type Fact, FactUnavailable } from "../../../fact.js";

/** The system users an inventory declares for the server's cluster (Pigsty's defaults where it says nothing). */
export interface InventoryUsers {
  readonly replication: string;
  readonly admin: string;
  readonly dbsu: string;
  /** The inventory file, for evidence. */
  readonly file: string;
}

/**
 * The replication, admin and dbsu users the inventory declares for the server's cluster:
 * with them the checks know which role is meant to replicate and which to administer,
 * instead of guessing. Not applicable when the audit has no inventory.
 */
export const inventoryUsersFact: Fact<InventoryUsers> = {
  id: "roles/inventory-users",
  scope: "server",
  collect(source) {
    const scope = source.inventory;
    // A rejected promise, never a throw: callers await the collection, as for every other fact.
    if (!scope) return Promise.reject(new FactUnavailable({ kind: "not-applicable", reason: "no inventory" }));
    const vars =
      scope.cluster === undefined
        ? withPigstyDefaults(scope.inventory.vars)
        : effectiveVars(scope.inventory, scope.cluster, scope.host);
    return Promise.resolve({
      replication: vars.pg_replication_username,
      admin: vars.pg_admin_username,
      dbsu: vars.pg_dbsu,
      file: scope.file,
    });
  },
};
