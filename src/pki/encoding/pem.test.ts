import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { initCa } from "../authority/ca-init.js";
import { pkiLayout } from "../pki-layout.js";
import { decodePemBlocks, firstCertificateOrNone } from "./pem.js";

test("firstCertificateOrNone: the first certificate block, past other text and blocks; none for garbage", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-pem-"));
  try {
    const { ca } = await initCa(pkiLayout(dir));
    const found = firstCertificateOrNone(
      `a note\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${ca.pem}`,
    );
    assert.equal(found?.fingerprint256, ca.certificate.fingerprint256);
    assert.equal(firstCertificateOrNone(Buffer.from(ca.pem))?.fingerprint256, ca.certificate.fingerprint256);
    assert.equal(firstCertificateOrNone("not PEM at all"), undefined);
    assert.equal(firstCertificateOrNone("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), undefined);
    assert.equal(firstCertificateOrNone(ca.pem.slice(0, ca.pem.length / 2)), undefined, "a truncated file");
    assert.deepEqual(
      decodePemBlocks(ca.pem).map((block) => block.der),
      [ca.der],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
