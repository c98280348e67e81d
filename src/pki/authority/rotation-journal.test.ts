import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { toPem } from "../encoding/der.js";
import { encodePrivateKey } from "../keys/key-file.js";
import { generateKeyPair } from "../keys/key-type.js";
import { pkiLayout } from "../pki-layout.js";
import { initCa } from "./ca-init.js";
import { rootCertificateDer } from "./root-certificate.js";
import { keyIdOf } from "./rotated-cas.js";
import { finishRotation, journalPath, keyIdOfFile } from "./rotation-journal.js";

test("a version-1 journal (key and certificate, left by a ca rotate killed before this version) is still finished", async () => {
  const root = await mkdtemp(join(tmpdir(), "rotation-journal-"));
  try {
    const layout = pkiLayout(root);
    await initCa(layout);
    const oldKeyId = (await keyIdOfFile(layout.caCert)) as string;
    const oldCert = await readFile(layout.caCert, "utf8");
    const key = generateKeyPair("ec-p256").privateKey;
    const now = new Date();
    const der = rootCertificateDer({
      key,
      name: Buffer.from("300f310d300b06035504030c0467322d32", "hex"),
      keyId: Buffer.alloc(20, 7),
      serial: "01",
      notBefore: now,
      notAfter: new Date(now.getTime() + 86_400_000),
      pathLength: 1,
    });
    await mkdir(join(root, "ca", "rotating"), { recursive: true });
    await writeFile(join(root, "ca", "rotating", "1.key"), encodePrivateKey(key), { mode: 0o600 });
    await writeFile(join(root, "ca", "rotating", "1.crt"), toPem(der, "CERTIFICATE"));
    const keep = `ca/rotated/ca-${oldKeyId.slice(0, 16)}`;
    await writeFile(
      journalPath(layout),
      JSON.stringify({
        version: 1,
        pid: 999_999_999,
        issuerName: "ca",
        oldKeyId,
        newKeyId: keyIdOf(der),
        live: { key: "ca/ca.key", cert: "ca/ca.crt" },
        staged: { key: "ca/rotating/1.key", cert: "ca/rotating/1.crt" },
        keep: { key: `${keep}.key`, cert: `${keep}.crt` },
        recordFile: "rotation-test.jsonl",
        record: { version: 1, serial: "01", issuedAt: now.toISOString() },
      }),
    );
    await finishRotation(layout);
    assert.equal(await keyIdOfFile(layout.caCert), keyIdOf(der), "the new root is in place");
    assert.equal(await readFile(join(root, `${keep}.crt`), "utf8"), oldCert, "the old one is kept");
    await assert.rejects(readFile(journalPath(layout)), { code: "ENOENT" });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
