import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { pkiLayout } from "../src/pki/pki-layout.js";
import { addRevocation } from "../src/pki/records/revocations.js";
import { pgwarden, snapshot, tempDir } from "./support/cli.js";

/*
 * A revocation on record that the CRL does not list is a certificate that still logs in: crl
 * status, ca show and cert list say so (exit 1), and a revocation file pgwarden cannot read stops
 * pgwarden crl (exit 7, nothing written) rather than dropping its certificate from the next CRL.
 */

async function serialOf(pki: string, cn: string): Promise<string> {
  const listed = await pgwarden(["--pki", pki, "cert", "list", "--format", "json"]);
  const { certificates } = JSON.parse(listed.stdout) as { certificates: { commonName: string; serial: string }[] };
  return certificates.find((entry) => entry.commonName === cn)?.serial as string;
}

test("a revocation recorded but missing from the CRL (a killed cert revoke): crl status, ca show and cert list exit 1; pgwarden crl repairs it", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    assert.equal((await pgwarden(["--pki", pki, "ca", "init", "--no-passphrase"])).code, 0);
    for (const cn of ["m1", "m2"])
      assert.equal((await pgwarden(["--pki", pki, "cert", "issue", "--profile", "client", "--cn", cn])).code, 0);
    assert.equal((await pgwarden(["--pki", pki, "cert", "revoke", "--cn", "m1"])).code, 0);
    assert.equal((await pgwarden(["--pki", pki, "crl", "status"])).code, 0);
    // What a cert revoke killed after recording m2 and before writing the CRL leaves.
    await addRevocation(pkiLayout(pki), {
      version: 1,
      serial: await serialOf(pki, "m2"),
      issuerName: "ca",
      revokedAt: new Date().toISOString(),
      reason: "keyCompromise",
    });
    for (const args of [
      ["crl", "status"],
      ["ca", "show"],
      ["cert", "list"],
    ]) {
      const result = await pgwarden(["--pki", pki, ...args]);
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /lacks 1 recorded revocation/, args.join(" "));
    }
    assert.equal((await pgwarden(["--pki", pki, "crl"])).code, 0);
    assert.equal((await pgwarden(["--pki", pki, "crl", "status"])).code, 0);
  } finally {
    await cleanup();
  }
});

test("a damaged revocation file: pgwarden crl refuses (exit 7, one line naming it, nothing written) instead of un-revoking its certificate", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    assert.equal((await pgwarden(["--pki", pki, "ca", "init", "--no-passphrase"])).code, 0);
    assert.equal((await pgwarden(["--pki", pki, "cert", "issue", "--profile", "client", "--cn", "gone"])).code, 0);
    assert.equal((await pgwarden(["--pki", pki, "cert", "revoke", "--cn", "gone"])).code, 0);
    const revocations = join(pki, "db", "revocations");
    const [file] = await readdir(revocations);
    for (const damage of ["", "{garbage"]) {
      await writeFile(join(revocations, file as string), damage);
      const crlBefore = await readFile(join(pki, "crl", "ca.crl"), "utf8");
      const before = await snapshot(pki);
      const write = await pgwarden(["--pki", pki, "crl"]);
      assert.equal(write.code, 7, write.stderr);
      assert.equal(write.stderr.trim().split("\n").length, 1, write.stderr);
      assert.match(write.stderr, /cannot be read as a revocation.*nothing was written/);
      assert.match(write.stderr, new RegExp(`pgwarden cert revoke ${(file as string).split("-")[0] ?? ""}`));
      assert.deepEqual(await snapshot(pki), before, "nothing written");
      assert.equal(await readFile(join(pki, "crl", "ca.crl"), "utf8"), crlBefore);
      const status = await pgwarden(["--pki", pki, "crl", "status"]);
      assert.equal(status.code, 1, status.stderr);
      assert.match(status.stderr, /cannot be read as a revocation/);
    }
  } finally {
    await cleanup();
  }
});
