import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { copyFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { serverTrust } from "../src/pg/tls/client-trust.js";
import { loadIssuer } from "../src/pki/authority/issuer-loader.js";
import { normalizeSerial } from "../src/pki/encoding/serial.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { readCaCrl } from "../src/pki/revocation/crl-file.js";
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

test("a revoked client intermediate signs nothing more, is never installed as a server's client trust, and ca show says so (exit 1)", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const run = (...args: string[]) => pgwarden(["--pki", pki, ...args]);
    assert.equal((await run("ca", "init", "--no-passphrase", "--intermediates")).code, 0);
    const clientCa = await serialOf(join(pki, "ca", "client-ca.crt"));
    assert.equal((await run("cert", "revoke", clientCa, "--reason", "keyCompromise", "--force")).code, 0);
    const issue = await run("cert", "issue", "--profile", "client", "--cn", "after");
    assert.equal(issue.code, 7, issue.stderr);
    assert.match(issue.stderr, /issuer client .* was revoked on .*pgwarden ca rotate --intermediate client/);
    const shown = await run("ca", "show");
    assert.equal(shown.code, 1, shown.stderr);
    assert.match(shown.stderr, /issuer client .* was revoked/);
    const layout = pkiLayout(pki);
    const server = await loadIssuer(layout, "server");
    await assert.rejects(() => serverTrust(layout, server), { code: "issuer-revoked", exitCode: 7 });
    // Replaced, the client issuer works again.
    assert.equal((await run("ca", "rotate", "--intermediate", "client")).code, 0);
    assert.equal((await run("cert", "issue", "--profile", "client", "--cn", "after")).code, 0);
  } finally {
    await cleanup();
  }
});

test("a CRL file older than a recorded revocation (restored from a backup) is refused for installation; a damaged revocation stops cert revoke and cert renew before they write", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const run = (...args: string[]) => pgwarden(["--pki", pki, ...args]);
    assert.equal((await run("ca", "init", "--no-passphrase")).code, 0);
    for (const cn of ["app", "other"])
      assert.equal((await run("cert", "issue", "--profile", "client", "--cn", cn)).code, 0);
    assert.equal((await run("crl")).code, 0);
    const layout = pkiLayout(pki);
    const older = await readFile(join(pki, "crl", "combined.crl"), "utf8");
    assert.equal((await run("cert", "revoke", "--cn", "app")).code, 0);
    await writeFile(join(pki, "crl", "combined.crl"), older);
    await assert.rejects(() => readCaCrl(layout, { issuers: [], now: new Date() }), { code: "crl-stale", exitCode: 7 });

    const [file] = await readdir(layout.revocationsDir);
    await writeFile(join(layout.revocationsDir, file as string), "{garbage");
    const before = await snapshot(pki);
    for (const args of [
      ["cert", "revoke", "--cn", "other"],
      ["cert", "renew", "--cn", "other"],
    ]) {
      const result = await run(...args);
      assert.equal(result.code, 7, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /cannot be read as a revocation.*nothing was written/);
      assert.deepEqual(await snapshot(pki), before, `${args.join(" ")} wrote nothing`);
    }
  } finally {
    await cleanup();
  }
});
