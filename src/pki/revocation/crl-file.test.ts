import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { opensslIntermediate } from "../../../test/support/openssl-intermediate.js";
import { initCa } from "../authority/ca-init.js";
import { combinedCrlPath, issuerFiles } from "../authority/issuers.js";
import { pkiLayout } from "../pki-layout.js";
import { caCrlPath, readCaCrl } from "./crl-file.js";
import { writeCrls } from "./crl-writer.js";

test("readCaCrl: crl/combined.crl when present, checked against root and intermediates; one lacking an issuer's CRL is refused", async () => {
  const root = await mkdtemp(join(tmpdir(), "crl-file-"));
  try {
    const layout = pkiLayout(root);
    const { ca } = await initCa(layout);
    const check = { issuers: [{ der: ca.der }], now: new Date() };
    assert.equal(await readCaCrl(layout, check), undefined, "no CRL yet");
    opensslIntermediate(layout, "client");
    await writeCrls(layout);
    const combined = await readFile(combinedCrlPath(layout), "utf8");
    // The intermediate's CRL verifies although the caller only named the root.
    assert.equal(await readCaCrl(layout, check), combined);
    // Only the root's CRL where the combined one should be: the intermediate's certificates would be refused.
    await writeFile(combinedCrlPath(layout), await readFile(caCrlPath(layout), "utf8"));
    await assert.rejects(readCaCrl(layout, check), { code: "crl-incomplete", exitCode: 7 });
    // Without a combined file, crl/ca.crl as before, and it too must cover every issuer.
    await rm(combinedCrlPath(layout));
    await assert.rejects(readCaCrl(layout, check), /holds no CRL of issuer client/);
    await rm(issuerFiles(layout, "client").certPath);
    assert.equal(await readCaCrl(layout, check), await readFile(caCrlPath(layout), "utf8"));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
