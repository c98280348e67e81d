import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";

import { RoleChange } from "./role-change.js";

test("the statement that runs is not in the change's JSON, keys or string form; the masked SQL is", () => {
  const verifier = "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5";
  const masked = `ALTER ROLE "app" PASSWORD <masked>`;
  const change = new RoleChange(
    "alter-role",
    "app",
    "alter role app: password set",
    masked,
    `ALTER ROLE "app" PASSWORD '${verifier}'`,
  );
  assert.equal(change.statement(), `ALTER ROLE "app" PASSWORD '${verifier}'`);
  assert.deepEqual(JSON.parse(JSON.stringify(change)), {
    kind: "alter-role",
    role: "app",
    summary: "alter role app: password set",
    sql: masked,
  });
  assert.ok(!Object.values(change).some((value) => String(value).includes(verifier)));
  assert.ok(!inspect(change).includes(verifier));
  assert.equal(
    new RoleChange("comment", "app", "c", "COMMENT ON ROLE \"app\" IS 'x'").statement(),
    "COMMENT ON ROLE \"app\" IS 'x'",
    "without a secret both are the same",
  );
  assert.equal(change.masksPassword(), true);
  assert.equal(new RoleChange("comment", "app", "c", "COMMENT ON ROLE \"app\" IS 'x'").masksPassword(), false);
});
