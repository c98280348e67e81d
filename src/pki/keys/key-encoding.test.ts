import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { test } from "node:test";
import { Worker } from "node:worker_threads";

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
    assert.ok(
      verify(hash, data, createPublicKey({ key: pair.publicKeyDer, format: "der", type: "spki" }), signature),
      type,
    );
  }
});

test("without the frame the same key types come from OpenSSL's encoders", () => {
  const pair = generateEncodedKeyPair("ec-p256", { useFrame: false });
  assert.match(pair.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.equal(
    createPublicKey(pair.privateKeyPem).export({ type: "spki", format: "der" }).equals(pair.publicKeyDer),
    true,
  );
});

test("thousands of framed keys on two worker threads never deadlock", { timeout: 120_000 }, async () => {
  // Exporting JWK from a key that generateKeyPairSync returned hung this loop every time on
  // Node 20 (a GC inside the export finalises the key-generation job, which waits for the
  // mutex the export holds); the keys must be encoded inside the generation job instead.
  const keysPerThread = 10_000;
  const moduleUrl = new URL("./key-encoding.js", import.meta.url).href;
  const source = `
    const { parentPort, workerData } = require("node:worker_threads");
    import(workerData.moduleUrl).then(({ generateEncodedKeyPair }) => {
      let last;
      for (let i = 0; i < workerData.count; i++) last = generateEncodedKeyPair("ec-p256");
      parentPort.postMessage(last.privateKeyPem);
    });`;
  const lastKeys = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<string>((resolve, reject) => {
          const worker = new Worker(source, { eval: true, workerData: { moduleUrl, count: keysPerThread } });
          worker.once("message", (pem: string) => void worker.terminate().then(() => resolve(pem)));
          worker.once("error", reject);
        }),
    ),
  );
  for (const pem of lastKeys) assert.equal(createPrivateKey(pem).asymmetricKeyType, "ec");
});
