import assert from "node:assert/strict";
import { test } from "node:test";

import { declaredRoles, roleEntries } from "./declared-roles.js";
import { withPigstyDefaults } from "./inventory.js";
import type { RoleEntry } from "./role-entry.js";

test("entries merge in Pigsty's order: pg_default_roles, then pg_users, each later entry overriding only what it states", () => {
  const pgDefault: RoleEntry = {
    name: "app",
    login: false,
    roles: ["dbrole_readonly"],
    parameters: { Work_Mem: "4MB" },
  };
  const first: RoleEntry = { name: "app", superuser: true, connlimit: 5, expire_at: "2030-01-01", comment: "first" };
  const second: RoleEntry = {
    name: "app",
    login: true,
    expire_in: 10,
    roles: [{ name: "dbrole_readonly", state: "revoke" }, "dbrole_admin"],
    parameters: { work_mem: "8MB" },
  };
  const vars = { pg_users: [first, second], pg_default_roles: [pgDefault] };
  assert.deepEqual(
    roleEntries(vars).map(({ entry, origin }) => [origin, entry]),
    [
      ["pg_default_roles", pgDefault],
      ["pg_users", first],
      ["pg_users", second],
    ],
  );
  const app = declaredRoles(vars).get("app");
  assert.deepEqual(app?.attributes, { login: true, superuser: true });
  assert.equal(app?.connlimit, 5);
  assert.deepEqual(app?.expiry, { inDays: 10 }, "the last entry's expiry, expire_in over expire_at");
  assert.deepEqual(
    [...(app?.memberships ?? [])],
    [
      ["dbrole_readonly", "revoke"],
      ["dbrole_admin", "grant"],
    ],
  );
  assert.deepEqual([...(app?.parameters ?? [])], [["work_mem", "8MB"]], "parameter names fold to lower case");
  assert.equal(app?.comment, "first");
  assert.equal(app?.state, "create");
});

test("state: absent in a later entry drops the role; with Pigsty's defaults the inventory's own list replaces Pigsty's", () => {
  const roles = declaredRoles(withPigstyDefaults({ pg_users: [{ name: "dbuser_dba", state: "absent" }] }));
  assert.equal(roles.get("dbuser_dba")?.state, "absent");
  assert.equal(roles.get("dbuser_dba")?.attributes.superuser, true, "what the absent entry does not state stays");
  assert.ok(roles.has("dbrole_readonly"), "Pigsty's pg_default_roles are in force when the inventory sets none");
  assert.deepEqual([...declaredRoles(withPigstyDefaults({ pg_default_roles: [{ name: "only" }] })).keys()], ["only"]);
});
