import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { opensslIntermediate } from "../../../test/support/openssl-intermediate.js";
import { initCa } from "../authority/ca-init.js";
import { loadCa } from "../authority/certificate-authority.js";
import { issuerFiles } from "../authority/issuers.js";
import { decodePemBlocks } from "../encoding/pem.js";
import { issueCertificate } from "../issuing/issue.js";
import { PROFILES } from "../issuing/profiles.js";
import { pkiLayout } from "../pki-layout.js";
import { addRecords, type CertificateRecord } from "../records/certificate-records.js";
import { parseRevocationList } from "../verify/revocation-list.js";
import { revokeCertificate } from "./revoke.js";

test("cert revoke: bad serial (2), unknown serial (4), ambiguous CN (2, listing each), wrong passphrase (7): nothing is written", async () => {
  const root = await mkdtemp(join(tmpdir(), "revoke-"));
  try {
    const layout = pkiLayout(root);
    await initCa(layout, { passphrase: "correct horse" });
    const ca = await loadCa(layout, { passphrase: "correct horse" });
    const first = (await issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "alice" })).record;
    await issueCertificate(layout, ca, { profile: PROFILES.client, commonName: "alice", group: "other" });
    const cases: [Parameters<typeof revokeCertificate>[1], number, RegExp][] = [
      [{ serial: "xyz" }, 2, /is not a serial/],
      [{ serial: "00:ab:cd" }, 4, /no certificate with serial abcd/],
      [{ commonName: "alice" }, 2, /names 2 certificates: .*group client.*group other/],
      [{ commonName: "nobody" }, 4, /no certificate with CN "nobody"/],
      [{ serial: first.serial, passphrase: "wrong" }, 7, /./],
      [{}, 2, /give the certificate to revoke/],
    ];
    for (const [request, exitCode, message] of cases) {
      await assert.rejects(revokeCertificate(layout, request), (error: Error & { exitCode?: number }) => {
        assert.equal(error.exitCode, exitCode, `${JSON.stringify(request)}: ${error.message}`);
        assert.match(error.message, message);
        return true;
      });
    }
    const dirs = await readdir(root);
    assert.ok(!dirs.includes("crl"), "no CRL written");
    assert.deepEqual(await readdir(layout.revocationsDir).catch(() => []), [], "no revocation recorded");
    // The serial in another form (upper case, colons) finds the certificate.
    const colons = first.serial.toUpperCase().match(/../g)?.join(":") ?? "";
    const done = await revokeCertificate(layout, { serial: colons, passphrase: "correct horse", reason: "superseded" });
    assert.equal(done.certificate.serial, first.serial);
    assert.equal(done.written?.crls[0]?.entries, 1);
    const again = await revokeCertificate(layout, { serial: first.serial, passphrase: "correct horse" });
    assert.equal(again.alreadyRevoked, true);
    assert.equal(again.revocation.reason, "superseded");
    assert.equal(again.written, undefined, "its CRL already lists it: nothing written");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("cert revoke of a certificate an intermediate issued: its record's issuerName picks the CRL; the root's lists nothing", async () => {
  const root = await mkdtemp(join(tmpdir(), "revoke-intermediate-"));
  try {
    const layout = pkiLayout(root);
    await initCa(layout);
    opensslIntermediate(layout, "client");
    const record: CertificateRecord = {
      version: 1,
      serial: "7f01020304",
      commonName: "bob",
      profile: "client",
      group: "client",
      origin: "issued",
      keyType: "ec-p256",
      subject: "CN=bob",
      issuer: "CN=pgwarden client CA",
      issuerName: "client",
      subjectAltNames: [],
      notBefore: "2026-01-01T00:00:00.000Z",
      notAfter: "2099-01-01T00:00:00.000Z",
      fingerprintSha256: "00",
      certPath: "client/bob.crt",
      keyPath: "client/bob.key",
      issuedAt: "2026-01-01T00:00:00.000Z",
    };
    await addRecords(layout, [record], new Date());
    const result = await revokeCertificate(layout, { commonName: "bob", reason: "keyCompromise" });
    assert.deepEqual(
      result.written?.crls.map((crl) => [crl.issuer, crl.entries]),
      [
        ["ca", 0],
        ["client", 1],
      ],
      "the client CRL gets the entry; the root's, missing so far, is written too (the combined file needs it)",
    );
    const client = await readFile(issuerFiles(layout, "client").crlPath, "utf8");
    assert.ok(parseRevocationList(decodePemBlocks(client)[0]?.der ?? Buffer.alloc(0)).revoked.has("7f01020304"));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
