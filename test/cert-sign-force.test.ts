/*
 * `cert sign --force` over a pair that `cert issue` made, and what `cert list` then says: no
 * certificate is left beside a key that is not its own, the replaced files are kept as
 * backups, and every key/certificate verdict is OpenSSL's (their public keys compared).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";

function openssl(args: readonly string[]): string {
  const run = spawnSync("openssl", args, { encoding: "utf8" });
  assert.equal(run.status, 0, `openssl ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

/** OpenSSL's answer to "is this the key of this certificate": the two public keys it prints are the same. */
function opensslPairMatches(keyPath: string, certPath: string): boolean {
  return openssl(["pkey", "-in", keyPath, "-pubout"]) === openssl(["x509", "-in", certPath, "-noout", "-pubkey"]);
}

interface ListEntry {
  readonly commonName: string;
  readonly origin: string;
  readonly status: string;
}

async function statuses(pki: string): Promise<{ code: number; stderr: string; byName: Record<string, string> }> {
  const listed = await pgwarden(["--format", "json", "cert", "list", "--pki", pki]);
  const entries = (JSON.parse(listed.stdout) as { certificates: ListEntry[] }).certificates;
  return {
    code: listed.code,
    stderr: listed.stderr,
    byName: Object.fromEntries(entries.map((e) => [`${e.commonName}/${e.origin}`, e.status])),
  };
}

describe("cert sign --force over an issued pair, and cert list", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir("pgwarden-sign-force-")));
  after(() => cleanup());

  test("sign --force keeps the old certificate and moves the key that no longer matches to 0600 backups: no mismatched pair is left", async () => {
    const pki = join(dir, "force");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    assert.equal((await pgwarden(["cert", "issue", "--pki", pki, "--profile", "server", "--cn", "vm"])).code, 0);
    const certPath = join(pki, "server", "vm.crt");
    const keyPath = join(pki, "server", "vm.key");
    const [oldCert, oldKey] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
    const csr = join(dir, "vm2.csr");
    openssl([
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      join(dir, "vm2.key"),
      "-subj",
      "/CN=vm",
      "-out",
      csr,
    ]);

    const signed = await pgwarden(["cert", "sign", csr, "--profile", "server", "--force", "--pki", pki]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.ok(opensslPairMatches(join(dir, "vm2.key"), certPath), "the new certificate is the requester's key's");
    const files = await readdir(join(pki, "server"));
    const certBackup = files.find((name) => /^vm\.crt\..*\.bak$/.test(name));
    const keyBackup = files.find((name) => /^vm\.key\..*\.bak$/.test(name));
    assert.ok(certBackup && keyBackup, `backups of both: ${files.join(" ")}`);
    assert.equal(await readFile(join(pki, "server", certBackup), "utf8"), oldCert);
    assert.equal(await readFile(join(pki, "server", keyBackup), "utf8"), oldKey);
    assert.equal((await stat(join(pki, "server", keyBackup))).mode & 0o777, 0o600);
    assert.ok(
      opensslPairMatches(join(pki, "server", keyBackup), join(pki, "server", certBackup)),
      "the backups are the old pair, intact",
    );
    await assert.rejects(
      stat(keyPath),
      { code: "ENOENT" },
      "no key is left beside a certificate it does not belong to",
    );
    assert.match(signed.stderr, /moved .*vm\.key to .*vm\.key\..*\.bak/);
    const list = await statuses(pki);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.byName["vm/signed"], "valid");
  });

  test("sign --force of a request made from the key already there (a renewal) keeps that key in place", async () => {
    const pki = join(dir, "renew");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    assert.equal((await pgwarden(["cert", "issue", "--pki", pki, "--profile", "server", "--cn", "vm"])).code, 0);
    const keyPath = join(pki, "server", "vm.key");
    const csr = join(dir, "renew.csr");
    openssl(["req", "-new", "-key", keyPath, "-subj", "/CN=vm", "-out", csr]);
    const signed = await pgwarden(["cert", "sign", csr, "--profile", "server", "--force", "--pki", pki]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.ok(opensslPairMatches(keyPath, join(pki, "server", "vm.crt")));
    assert.deepEqual(
      (await readdir(join(pki, "server"))).filter((name) => name.startsWith("vm.key.")),
      [],
    );
  });

  test("cert list checks the key beside a signed certificate (key-mismatch, as OpenSSL says); a key directory is key-unreadable, exit 7", async () => {
    const pki = join(dir, "list");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    assert.equal((await pgwarden(["cert", "issue", "--pki", pki, "--profile", "server", "--cn", "other"])).code, 0);
    const csr = join(dir, "list.csr");
    const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    openssl(["req", "-new", ...newKey, "-keyout", join(dir, "list.key"), "-subj", "/CN=vm", "-out", csr]);
    assert.equal((await pgwarden(["cert", "sign", csr, "--profile", "server", "--pki", pki])).code, 0);
    // A key that is not the signed certificate's lands beside it (a copy, an old issue restored).
    await copyFile(join(pki, "server", "other.key"), join(pki, "server", "vm.key"));
    assert.equal(opensslPairMatches(join(pki, "server", "vm.key"), join(pki, "server", "vm.crt")), false);
    const mismatched = await statuses(pki);
    assert.equal(mismatched.byName["vm/signed"], "key-mismatch");
    // The requester's own key beside it is fine.
    await copyFile(join(dir, "list.key"), join(pki, "server", "vm.key"));
    assert.equal((await statuses(pki)).byName["vm/signed"], "valid");

    await rm(join(pki, "server", "other.key"));
    await mkdir(join(pki, "server", "other.key"));
    const broken = await statuses(pki);
    assert.equal(broken.code, 7, broken.stderr);
    assert.match(broken.stderr, /server\/other\.key: is a directory/);
    assert.equal(broken.byName["other/issued"], "key-unreadable");

    // An empty or garbage key file is no key libpq can use either.
    for (const [what, text] of [
      ["empty", ""],
      ["garbage", "garbage\n"],
      ["truncated", "-----BEGIN PRIVATE KEY-----\nMIGH\n"],
    ] as const) {
      await writeFile(join(pki, "server", "vm.key"), text);
      const listed = await statuses(pki);
      assert.equal(listed.code, 7, `${what}: ${listed.stderr}`);
      assert.match(listed.stderr, /server\/vm\.key: holds no private key/, what);
      assert.equal(listed.byName["vm/signed"], "key-unreadable", what);
    }
  });
});
