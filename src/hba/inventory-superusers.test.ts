import assert from "node:assert/strict";
import { test } from "node:test";
import { parseInventory } from "../config/load-inventory.js";
import { inventorySuperusers } from "./inventory-superusers.js";

test("an inventory's superusers: the dbsu and the admin user, as the instance sees them", () => {
  const text = `all:
  children:
    pg-x:
      hosts:
        10.0.0.1: { pg_seq: 1, pg_role: primary, pg_admin_username: boss }
        10.0.0.2: { pg_seq: 2, pg_role: replica }
      vars: { pg_cluster: pg-x, pg_dbsu: pgsu }
`;
  const inventory = parseInventory(text, "x.yml");
  assert.deepEqual(inventorySuperusers(inventory, "pg-x", "10.0.0.1"), ["pgsu", "boss"]);
  assert.deepEqual(inventorySuperusers(inventory, "pg-x", "10.0.0.2"), ["pgsu", "dbuser_dba"]);
});
