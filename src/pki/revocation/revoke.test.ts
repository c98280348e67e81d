import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { initCa } from "../authority/ca-init.js";
import { loadCa } from "../authority/certificate-authority.js";
import { issueCertificate } from "../issuing/issue.js";
import { PROFILES } from "../issuing/profiles.js";
import { pkiLayout } from "../pki-layout.js";
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
