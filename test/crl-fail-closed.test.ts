import assert from "node:assert/strict";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { initCa } from "../src/pki/authority/ca-init.js";
import { createIntermediate } from "../src/pki/authority/intermediate-create.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { addRevocation } from "../src/pki/records/revocations.js";
import { readCaCrl } from "../src/pki/revocation/crl-file.js";
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

test("ca show: an expired intermediate is a warning naming the fix and exit 1; its age is not rounded up", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    // A root made three days ago, an intermediate made two days ago for one day: it expired about a day ago.
    await initCa(pkiLayout(pki), { now: new Date(Date.now() - 3 * 86_400_000) });
    const made = new Date(Date.now() - 2 * 86_400_000 + 3_600_000);
    await createIntermediate(pkiLayout(pki), { name: "client", days: 1, now: made });
    const shown = await pgwarden(["--pki", pki, "ca", "show"]);
    assert.equal(shown.code, 1, shown.stderr);
    assert.match(shown.stderr, /issuer client .* expired at .*; replace it: pgwarden ca rotate --intermediate client/);
    assert.match(shown.stdout, /expired less than a day ago|expired 1 day ago/);
    assert.doesNotMatch(shown.stdout, /expired 1 days ago/);
  } finally {
    await cleanup();
  }
});

test("a directory where a CRL belongs: crl, cert revoke, crl status and cert list say so in one line (exit 7), and crl writes nothing", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    assert.equal((await pgwarden(["--pki", pki, "ca", "init", "--no-passphrase", "--intermediates"])).code, 0);
    assert.equal((await pgwarden(["--pki", pki, "cert", "issue", "--profile", "client", "--cn", "d1"])).code, 0);
    assert.equal((await pgwarden(["--pki", pki, "crl"])).code, 0);
    await rm(join(pki, "crl", "client.crl"));
    await mkdir(join(pki, "crl", "client.crl"));
    const before = await snapshot(pki);
    for (const args of [["crl"], ["cert", "revoke", "--cn", "d1"], ["crl", "status"], ["cert", "list"]]) {
      const result = await pgwarden(["--pki", pki, ...args]);
      assert.equal(result.code, 7, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /client\.crl is a directory, not a CRL file: move it away/, args.join(" "));
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
    assert.deepEqual(await snapshot(pki), before, "nothing written");
  } finally {
    await cleanup();
  }
});

test("ca rotate in a PKI that has CRLs writes the new CA's CRL and the combined file at once: crl status is clean and servers may install it", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const run = (...args: string[]) => pgwarden(["--pki", pki, ...args]);
    assert.equal((await run("ca", "init", "--no-passphrase", "--intermediates")).code, 0);
    assert.equal((await run("crl")).code, 0);
    for (const args of [
      ["ca", "rotate", "--intermediate", "server"],
      ["ca", "rotate"],
    ]) {
      const rotated = await run(...args);
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.match(rotated.stderr, /wrote the new CA's CRL .*cert export again/);
      const status = await run("crl", "status");
      assert.equal(status.code, 0, `${args.join(" ")}: ${status.stderr}`);
      assert.ok((await readCaCrl(pkiLayout(pki), { issuers: [], now: new Date() })) !== undefined);
    }
  } finally {
    await cleanup();
  }
});
