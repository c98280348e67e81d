import assert from "node:assert/strict";
import { test } from "node:test";

import { instanceVars } from "../config/inventory.js";
import { parseInventory } from "../config/load-inventory.js";
import { inventoryLintContext, inventoryMemberships } from "./inventory-superusers.js";

const inventorySuperusers = (...args: Parameters<typeof inventoryLintContext>) =>
  inventoryLintContext(...args).superusers;

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
  // Then Pigsty's pg_default_roles, which still declare postgres and dbuser_dba superusers.
  assert.deepEqual(inventorySuperusers(inventory, "pg-x", "10.0.0.1"), ["pgsu", "boss", "postgres", "dbuser_dba"]);
  assert.deepEqual(inventorySuperusers(inventory, "pg-x", "10.0.0.2"), ["pgsu", "dbuser_dba", "postgres"]);
});

test("an inventory's superusers: also every role pg_default_roles or pg_users declares superuser (the last word on a role wins)", () => {
  const text = `all:
  children:
    pg-x:
      hosts:
        10.0.0.1: { pg_seq: 1, pg_role: primary }
      vars:
        pg_cluster: pg-x
        pg_users:
          - { name: boss, superuser: true, password: 'Bo55-Secret.x9' }
          - { name: app, password: 'App-Secret.x9' }
          - { name: was_su, superuser: true }
          - { name: was_su, superuser: false }
          - { name: gone_su, superuser: true, state: absent }
`;
  const inventory = parseInventory(text, "x.yml");
  // Pigsty's pg_default_roles: postgres and dbuser_dba are superusers.
  assert.deepEqual(inventorySuperusers(inventory, "pg-x", "10.0.0.1"), ["postgres", "dbuser_dba", "boss"]);
});

test("an inventory's lint context: the roles each superuser is a member of, through other roles too, revocations honoured (explain agrees)", () => {
  const text = `all:
  children:
    pg-x:
      hosts:
        10.0.0.1: { pg_seq: 1, pg_role: primary }
      vars:
        pg_cluster: pg-x
        pg_users:
          - { name: boss, superuser: true, roles: [ team, dbrole_admin ] }
          - { name: team, login: false, roles: [ dbrole_readwrite ] }
          - { name: boss, roles: [ { name: dbrole_admin, state: revoke } ] }
`;
  const inventory = parseInventory(text, "x.yml");
  const context = inventoryLintContext(inventory, "pg-x", "10.0.0.1");
  assert.deepEqual(context.superusers, ["postgres", "dbuser_dba", "boss"]);
  assert.deepEqual(context.superuserMemberOf, {
    postgres: [],
    // Pigsty's defaults: dbuser_dba is in dbrole_admin, which is in pg_monitor and dbrole_readwrite, which is in dbrole_readonly.
    dbuser_dba: ["dbrole_admin", "pg_monitor", "dbrole_readwrite", "dbrole_readonly"],
    boss: ["team", "dbrole_readwrite", "dbrole_readonly"],
  });
  // hba explain reads memberships with the same engine: the later entry's revoke holds there too.
  assert.deepEqual(inventoryMemberships(instanceVars(inventory, "pg-x", "10.0.0.1"))("boss"), [
    "dbrole_readonly",
    "dbrole_readwrite",
    "team",
  ]);
});
