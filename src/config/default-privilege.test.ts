import assert from "node:assert/strict";
import { test } from "node:test";

import { parseDefaultPrivilege } from "./default-privilege.js";

test("Pigsty's entries parse: action, privileges, kind of object, grantee", () => {
  assert.deepEqual(parseDefaultPrivilege("GRANT SELECT     ON TABLES     TO  dbrole_readonly"), {
    action: "grant",
    privileges: ["SELECT"],
    objects: "TABLES",
    grantees: ["dbrole_readonly"],
    text: "GRANT SELECT     ON TABLES     TO  dbrole_readonly",
  });
  const revoke = parseDefaultPrivilege('revoke insert, update on tables from "App Writers", public;');
  assert.equal(revoke.action, "revoke");
  assert.deepEqual(revoke.privileges, ["INSERT", "UPDATE"]);
  assert.deepEqual(revoke.grantees, ["App Writers", null], "quoted names keep their case; PUBLIC is null");
});

test("ALL expands to the kind's privileges; ROUTINES are functions; bare names fold to lower case", () => {
  assert.deepEqual(parseDefaultPrivilege("GRANT ALL PRIVILEGES ON SEQUENCES TO Readers").privileges, [
    "USAGE",
    "SELECT",
    "UPDATE",
  ]);
  assert.deepEqual(parseDefaultPrivilege("GRANT ALL PRIVILEGES ON SEQUENCES TO Readers").grantees, ["readers"]);
  assert.equal(parseDefaultPrivilege("GRANT EXECUTE ON ROUTINES TO x").objects, "FUNCTIONS");
  assert.deepEqual(parseDefaultPrivilege('GRANT USAGE ON TYPES TO "a""b"').grantees, ['a"b']);
});

test("anything else is refused with the reason", () => {
  assert.throws(
    () => parseDefaultPrivilege("GRANT SELECT ON TABLE t TO x"),
    /expected GRANT <privileges> ON TABLES\|SEQUENCES/,
  );
  assert.throws(
    () => parseDefaultPrivilege("GRANT CREATE ON TABLES TO x"),
    /CREATE is not a privilege on tables: use SELECT, INSERT/,
  );
  assert.throws(() => parseDefaultPrivilege("GRANT SELECT ON TABLES FROM x"), /GRANT takes TO <role>/);
  assert.throws(() => parseDefaultPrivilege("REVOKE SELECT ON TABLES TO x"), /REVOKE takes FROM <role>/);
  assert.throws(() => parseDefaultPrivilege("GRANT SELECT ON TABLES TO x; DROP ROLE y"), /is not a role name/);
  assert.throws(() => parseDefaultPrivilege("GRANT SELECT ON TABLES TO x WITH GRANT OPTION"), /is not a role name/);
});
