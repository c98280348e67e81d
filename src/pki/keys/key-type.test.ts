import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { test } from "node:test";

import { keyProblem, MIN_RSA_BITS } from "./key-type.js";

test("keys libpq and pgwarden handle pass; RSA below 2048 bits and other curves are named", () => {
  const ec = (namedCurve: string) => generateKeyPairSync("ec", { namedCurve }).publicKey;
  const rsa = generateKeyPairSync("rsa", { modulusLength: MIN_RSA_BITS }).publicKey;
  for (const key of [ec("P-256"), ec("P-384"), ec("P-521"), generateKeyPairSync("ed25519").publicKey, rsa]) {
    assert.equal(keyProblem(key), undefined);
  }
  const weak = keyProblem(generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey);
  assert.equal(weak?.code, "key-too-small");
  assert.match(weak?.message ?? "", /rsa-1024.*"ee key too small"/);
  assert.match(
    keyProblem(generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey, "ca")?.message ?? "",
    /"ca key too small".*use a CA with/,
  );
  assert.deepEqual(keyProblem(ec("secp256k1"))?.code, "unsupported-key-type");
  assert.match(keyProblem(ec("secp256k1"))?.message ?? "", /^unsupported key type ec-secp256k1: /);
  assert.match(keyProblem(generateKeyPairSync("ed448").publicKey)?.message ?? "", /^unsupported key type ed448: /);
});
