import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { normalizeSerial } from "../src/pki/encoding/serial.js";
import { pgwarden, snapshot, tempDir } from "./support/cli.js";

/*
 * A renewal keeps the key unless --rekey, so the certificate it replaced carries the same key and
 * stays valid: revoking for keyCompromise (or by --cn) must take the whole chain, or the old
 * certificate logs in with the leaked key. CA certificates are not revoked by accident.
 */

async function serialOf(path: string): Promise<string> {
  return normalizeSerial(new X509Certificate(await readFile(path)).serialNumber);
}

/** openssl's verdict on `leaf` with the root and the CRL checked (as PostgreSQL checks a client certificate). */
function opensslAccepts(pki: string, leaf: string): boolean {
  return (
    spawnSync(
      "openssl",
      ["verify", "-crl_check", "-CAfile", join(pki, "ca", "ca.crt"), "-CRLfile", join(pki, "crl", "ca.crl"), leaf],
      { encoding: "utf8" },
    ).status === 0
  );
}

test("keyCompromise on a renewed certificate revokes the certificate it renewed too (same key); openssl agrees", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const run = (...args: string[]) => pgwarden(["--pki", pki, ...args]);
    assert.equal((await run("ca", "init", "--no-passphrase")).code, 0);
    assert.equal((await run("cert", "issue", "--profile", "client", "--cn", "frank")).code, 0);
    const old = join(dir, "frank-old.crt");
    await copyFile(join(pki, "client", "frank.crt"), old);
    assert.equal((await run("cert", "renew", "--cn", "frank")).code, 0);
    const current = join(pki, "client", "frank.crt");
    const revoke = await run(
      "--format",
      "json",
      "cert",
      "revoke",
      await serialOf(current),
      "--reason",
      "keyCompromise",
    );
    assert.equal(revoke.code, 0, revoke.stderr);
    const document = JSON.parse(revoke.stdout) as { alsoRevoked: string[]; stillValid: string[] };
    assert.deepEqual(document.alsoRevoked, [await serialOf(old)]);
    assert.deepEqual(document.stillValid, []);
    assert.equal(opensslAccepts(pki, current), false, "the renewed certificate is revoked");
    assert.equal(opensslAccepts(pki, old), false, "so is the one it renewed, with the same key");
  } finally {
    await cleanup();
  }
});

test("revoking by serial for another reason names the older certificates left valid; --cn then revokes the rest of the chain", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const run = (...args: string[]) => pgwarden(["--pki", pki, ...args]);
    assert.equal((await run("ca", "init", "--no-passphrase")).code, 0);
    assert.equal((await run("cert", "issue", "--profile", "client", "--cn", "grace")).code, 0);
    const old = join(dir, "grace-old.crt");
    await copyFile(join(pki, "client", "grace.crt"), old);
    assert.equal((await run("cert", "renew", "--cn", "grace")).code, 0);
    const current = join(pki, "client", "grace.crt");
    const bySerial = await run("cert", "revoke", await serialOf(current), "--reason", "superseded");
    assert.equal(bySerial.code, 0, bySerial.stderr);
    assert.match(
      bySerial.stderr,
      new RegExp(`older certificates of the same renewal chain stay valid \\(${await serialOf(old)}\\)`),
    );
    assert.equal(opensslAccepts(pki, old), true);
    // --cn names the chain, not an ambiguity: the old one goes too.
    const byName = await run("cert", "revoke", "--cn", "grace");
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(opensslAccepts(pki, old), false);
  } finally {
    await cleanup();
  }
});

test("a root's certificate is never revoked; an intermediate's only with --force (exit 2 and nothing written before)", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const run = (...args: string[]) => pgwarden(["--pki", pki, ...args]);
    assert.equal((await run("ca", "init", "--no-passphrase", "--intermediates")).code, 0);
    assert.equal((await run("cert", "issue", "--profile", "client", "--cn", "app")).code, 0);
    const before = await snapshot(pki);
    const root = await run("cert", "revoke", await serialOf(join(pki, "ca", "ca.crt")), "--reason", "keyCompromise");
    assert.equal(root.code, 2, root.stderr);
    assert.match(root.stderr, /is the root CA's own certificate: .*pgwarden ca rotate/);
    const clientCa = await serialOf(join(pki, "ca", "client-ca.crt"));
    const intermediate = await run("cert", "revoke", clientCa, "--reason", "keyCompromise");
    assert.equal(intermediate.code, 2, intermediate.stderr);
    assert.match(intermediate.stderr, /intermediate CA .*\(1 valid on record\).*--force/);
    assert.deepEqual(await snapshot(pki), before, "nothing written");
    const forced = await run("cert", "revoke", clientCa, "--reason", "keyCompromise", "--force");
    assert.equal(forced.code, 0, forced.stderr);
    const crl = execFileSync("openssl", ["crl", "-in", join(pki, "crl", "ca.crl"), "-noout", "-text"], {
      encoding: "utf8",
    });
    assert.match(crl.toLowerCase(), new RegExp(`serial number: ${clientCa}`));
  } finally {
    await cleanup();
  }
});
