import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { test } from "node:test";
import { generateEncodedKeyPair } from "./key-encoding.js";
import { KEY_TYPES } from "./key-type.js";

test("framed EC keys encode exactly as OpenSSL's own encoders do", () => {
  for (const type of ["ec-p256", "ec-p384"] as const) {
    for (let i = 0; i < 300; i++) {
      const pair = generateEncodedKeyPair(type);
      const privateKey = createPrivateKey(pair.privateKeyPem);
      assert.equal(privateKey.export({ type: "pkcs8", format: "pem" }), pair.privateKeyPem, `${type} PKCS#8 #${i}`);
      const publicKey = createPublicKey(privateKey);
      assert.deepEqual(publicKey.export({ type: "spki", format: "der" }), pair.publicKeyDer, `${type} SPKI #${i}`);
    }
  }
});

test("every key type yields a private key that signs for its public key", () => {
  for (const type of KEY_TYPES.filter((t) => t !== "rsa-4096" && t !== "rsa-3072")) {
    const pair = generateEncodedKeyPair(type);
    const data = Buffer.from("pgwarden");
    const hash = type === "ed25519" ? null : "sha256";
    const signature = sign(hash, data, createPrivateKey(pair.privateKeyPem));
    assert.ok(verify(hash, data, createPublicKey({ key: pair.publicKeyDer, format: "der", type: "spki" }), signature), type);
  }
});

test("without the frame the same key types come from OpenSSL's encoders", () => {
  const pair = generateEncodedKeyPair("ec-p256", { useFrame: false });
  assert.match(pair.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.equal(createPublicKey(pair.privateKeyPem).export({ type: "spki", format: "der" }).equals(pair.publicKeyDer), true);
});
