import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { opensslIntermediate } from "../../../test/support/openssl-intermediate.js";
import { initCa } from "../authority/ca-init.js";
import { combinedCrlPath, issuerFiles } from "../authority/issuers.js";
import { decodePemBlocks } from "../encoding/pem.js";
import { pkiLayout } from "../pki-layout.js";
import { addRevocation, type RevocationReason } from "../records/revocations.js";
import { crlInfoOfPem } from "./crl-info.js";
import { advanceCrlNumber, lastCrlNumber } from "./crl-number.js";
import { writeCrls } from "./crl-writer.js";

function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

async function revoke(root: string, serial: string, issuerName: string, reason: RevocationReason, at: string) {
  await addRevocation(pkiLayout(root), { version: 1, serial, issuerName, revokedAt: at, reason });
}

test("crl: one CRL per issuer (root and an openssl-made intermediate), each verified by openssl with its serials and reasons", async () => {
  const root = await mkdtemp(join(tmpdir(), "crl-writer-"));
  try {
    const layout = pkiLayout(root);
    await initCa(layout);
    opensslIntermediate(layout, "client");
    await revoke(root, "0a1b2c", "ca", "keyCompromise", "2026-03-01T10:00:00.000Z");
    await revoke(root, "80ff", "ca", "unspecified", "2026-03-02T10:00:00.000Z");
    await revoke(root, "01", "client", "superseded", "2026-03-03T10:00:00.000Z");
    // Another issuer's revocation stays out of both.
    await revoke(root, "02", "server", "keyCompromise", "2026-03-03T10:00:00.000Z");
    // Whole seconds, as the CRL's times are.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const written = await writeCrls(layout, { now, days: 3 });
    assert.deepEqual(
      written.crls.map((crl) => [crl.issuer, crl.number, crl.entries]),
      [
        ["ca", 1, 2],
        ["client", 1, 1],
      ],
    );
    for (const name of ["ca", "client"]) {
      const files = issuerFiles(layout, name);
      // -verify checks the signature with the issuer's key; openssl prints "verify OK" on stderr.
      const out = execFileSync(
        "sh",
        ["-c", 'openssl crl -in "$1" -noout -verify -CAfile "$2" 2>&1', "sh", files.crlPath, files.certPath],
        { encoding: "utf8" },
      );
      assert.match(out, /verify OK/, `${name}: ${out}`);
    }
    const rootText = openssl(["crl", "-in", issuerFiles(layout, "ca").crlPath, "-noout", "-text"]);
    assert.match(rootText, /Version 2/);
    assert.match(rootText, /X509v3 CRL Number: \n\s+1\n/);
    assert.match(rootText, /X509v3 Authority Key Identifier/);
    assert.match(
      rootText,
      /Serial Number: 0A1B2C\n\s+Revocation Date: Mar  1 10:00:00 2026 GMT\n\s+CRL entry extensions:\n\s+X509v3 CRL Reason Code: \n\s+Key Compromise/,
    );
    // Unspecified: no reason extension, as usual; a serial with the top bit set stays positive.
    assert.match(
      rootText,
      /Serial Number: 80FF\n\s+Revocation Date: Mar  2 10:00:00 2026 GMT\n(?!\s+CRL entry extensions)/,
    );
    assert.doesNotMatch(rootText, /Serial Number: 02\n/);
    const clientText = openssl(["crl", "-in", issuerFiles(layout, "client").crlPath, "-noout", "-text"]);
    assert.match(
      clientText,
      /Serial Number: 01\n[^\n]*\n\s+CRL entry extensions:\n\s+X509v3 CRL Reason Code: \n\s+Superseded/,
    );
    const next = openssl(["crl", "-in", issuerFiles(layout, "ca").crlPath, "-noout", "-nextupdate", "-lastupdate"]);
    const nextUpdate = new Date(/nextUpdate=(.*)/.exec(next)?.[1] ?? "");
    const lastUpdate = new Date(/lastUpdate=(.*)/.exec(next)?.[1] ?? "");
    assert.equal(Math.round((nextUpdate.getTime() - now.getTime()) / 1000), 3 * 86400);
    assert.equal(Math.round((now.getTime() - lastUpdate.getTime()) / 1000), 300, "thisUpdate back-dated 5 minutes");
    // The combined file: both CRLs, each as written.
    const combined = await readFile(combinedCrlPath(layout), "utf8");
    assert.equal(decodePemBlocks(combined).length, 2);
    assert.equal(
      combined,
      (await readFile(issuerFiles(layout, "ca").crlPath, "utf8")) +
        (await readFile(issuerFiles(layout, "client").crlPath, "utf8")),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("crl numbers go up by one per run and are stored before the CRL; --only rewrites one issuer and keeps the others", async () => {
  const root = await mkdtemp(join(tmpdir(), "crl-numbers-"));
  try {
    const layout = pkiLayout(root);
    await initCa(layout);
    opensslIntermediate(layout, "server");
    await writeCrls(layout);
    await writeCrls(layout);
    assert.equal(await lastCrlNumber(layout, "ca"), 2);
    const serverBefore = await readFile(issuerFiles(layout, "server").crlPath, "utf8");
    const again = await writeCrls(layout, { only: ["ca"] });
    assert.deepEqual(
      again.crls.map((crl) => [crl.issuer, crl.number]),
      [["ca", 3]],
    );
    assert.equal(await readFile(issuerFiles(layout, "server").crlPath, "utf8"), serverBefore);
    assert.equal(crlInfoOfPem(await readFile(issuerFiles(layout, "ca").crlPath, "utf8"))?.number, 3);
    // A lost state directory does not make numbers start over: the CRL on disk is the floor.
    await rm(layout.crlStateDir, { recursive: true });
    const after = await writeCrls(layout, { only: ["ca"] });
    assert.equal(after.crls[0]?.number, 4);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("a run killed after advancing the number and before writing its CRL skips that number; the next CRL never reuses it", async () => {
  const root = await mkdtemp(join(tmpdir(), "crl-skip-"));
  try {
    const layout = pkiLayout(root);
    await initCa(layout);
    assert.equal((await writeCrls(layout)).crls[0]?.number, 1);
    // What a kill between the two steps leaves: the number advanced, the CRL on disk still number 1.
    assert.equal(await advanceCrlNumber(layout, "ca", 1), 2);
    assert.equal(crlInfoOfPem(await readFile(issuerFiles(layout, "ca").crlPath, "utf8"))?.number, 1);
    assert.equal((await writeCrls(layout)).crls[0]?.number, 3);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
