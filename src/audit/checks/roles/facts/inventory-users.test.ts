import assert from "node:assert/strict";
import { test } from "node:test";

import { parseInventory } from "../../../../config/load-inventory.js";
import { FactUnavailable, type InventoryScope, type ServerSource } from "../../../fact.js";
import { inventoryUsersFact } from "./inventory-users.js";

const INVENTORY = `all:
  vars:
    pg_replication_username: repl_all
  children:
    pg-meta:
      hosts: { 10.0.0.1: { pg_seq: 1, pg_role: primary } }
      vars: { pg_cluster: pg-meta, pg_admin_username: meta_dba }
    pg-test:
      hosts: { 10.0.0.2: { pg_seq: 1, pg_role: primary } }
      vars: { pg_cluster: pg-test }
`;

/** Only what the fact reads: the inventory scope (a server source without a connection). */
function sourceWith(inventory: InventoryScope | undefined): ServerSource {
  return { kind: "server", ...(inventory ? { inventory } : {}) } as ServerSource;
}

test("the inventory's users for the server's cluster: its own vars over the inventory's, then Pigsty's defaults", async () => {
  const inventory = parseInventory(INVENTORY, "pigsty.yml");
  const meta = await inventoryUsersFact.collect(sourceWith({ inventory, file: "pigsty.yml", cluster: "pg-meta" }));
  assert.deepEqual(meta, { replication: "repl_all", admin: "meta_dba", dbsu: "postgres", file: "pigsty.yml" });
  const other = await inventoryUsersFact.collect(sourceWith({ inventory, file: "pigsty.yml", cluster: "pg-test" }));
  assert.equal(other.admin, "dbuser_dba");
});

test("without an inventory the fact is not applicable, so the checks judge without it", async () => {
  await assert.rejects(
    () => inventoryUsersFact.collect(sourceWith(undefined)),
    (error: unknown) => error instanceof FactUnavailable && error.unavailability.kind === "not-applicable",
  );
});
