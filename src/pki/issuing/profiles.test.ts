import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { EKU_CLIENT_AUTH, EKU_SERVER_AUTH, parseProfile, PROFILES } from "./profiles.js";

test("profiles decide extended key usage and what the CN means", () => {
  assert.deepEqual(PROFILES.server.extendedKeyUsage, [EKU_SERVER_AUTH]);
  assert.deepEqual(PROFILES.client.extendedKeyUsage, [EKU_CLIENT_AUTH]);
  assert.deepEqual(PROFILES.peer.extendedKeyUsage, [EKU_SERVER_AUTH, EKU_CLIENT_AUTH]);
  assert.equal(PROFILES.server.needsHostNames, true);
  assert.equal(PROFILES.peer.needsHostNames, true);
  assert.equal(PROFILES.client.needsHostNames, false);
  assert.equal(PROFILES.client.cnIsRole, true);
  assert.equal(parseProfile("peer"), PROFILES.peer);
});

test("an unknown profile is a usage error naming the choices", () => {
  assert.throws(
    () => parseProfile("admin"),
    (error: unknown) =>
      error instanceof PgwardenError && error.exitCode === 2 && /server, client, peer/.test(error.message),
  );
});
