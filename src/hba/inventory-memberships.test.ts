import assert from "node:assert/strict";
import { test } from "node:test";

import type { InventoryVars } from "../config/schema.js";
import { inventoryMemberships } from "./inventory-superusers.js";

test("without pg_default_roles, Pigsty's own list: memberships through every chain of grants", () => {
  const memberOf = inventoryMemberships({});
  assert.deepEqual(memberOf("dbuser_dba"), ["dbrole_admin", "dbrole_readonly", "dbrole_readwrite", "pg_monitor"]);
  assert.deepEqual(memberOf("replicator"), ["dbrole_readonly", "pg_monitor"]);
  assert.deepEqual(memberOf("postgres"), []);
  assert.deepEqual(memberOf("nobody"), [], "a role the inventory does not define is a member of nothing");
});

test("the inventory's pg_default_roles replaces Pigsty's; pg_users add to it; cycles end", () => {
  const vars = {
    pg_default_roles: [
      { name: "readers" },
      { name: "writers", roles: ["readers"] },
      { name: "loop_a", roles: ["loop_b"] },
      { name: "loop_b", roles: ["loop_a"] },
    ],
    pg_users: [{ name: "app", password: "not read", roles: ["writers"] }, { name: "solo" }],
  } as unknown as InventoryVars;
  const memberOf = inventoryMemberships(vars);
  assert.deepEqual(memberOf("app"), ["readers", "writers"]);
  assert.deepEqual(memberOf("solo"), []);
  assert.deepEqual(memberOf("dbuser_dba"), [], "Pigsty's list no longer applies");
  assert.deepEqual(memberOf("loop_a"), ["loop_b"], "a role is not listed as its own member");
});

test("memberships written as {name, state} count unless revoked; roles: null is no membership", () => {
  const vars = {
    pg_users: [
      {
        name: "app",
        roles: [
          "dbrole_readwrite",
          { name: "dbrole_offline" },
          { name: "dbrole_admin", state: "revoke" },
          { name: "pg_read_all_data", state: "grant" },
        ],
      },
      { name: "etl", roles: null },
    ],
  } as unknown as InventoryVars;
  const memberOf = inventoryMemberships(vars);
  assert.deepEqual(memberOf("app"), ["dbrole_offline", "dbrole_readonly", "dbrole_readwrite", "pg_read_all_data"]);
  assert.deepEqual(memberOf("etl"), []);
});

test("a later entry's revoke or state: absent has the last word, as roles/role-model.ts merges entries", () => {
  const vars = {
    pg_users: [
      { name: "app", roles: ["dbrole_readwrite", "old_group", "dbrole_admin"] },
      { name: "old_group", login: false, roles: ["dbrole_offline"] },
      { name: "old_group", state: "absent" },
      { name: "app", roles: [{ name: "dbrole_admin", state: "revoke" }] },
    ],
  } as unknown as InventoryVars;
  assert.deepEqual(
    inventoryMemberships(vars)("app"),
    ["dbrole_readonly", "dbrole_readwrite"],
    "a dropped role grants nothing; a revoked one is no membership",
  );
});
