import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { retireCa } from "../src/pki/authority/ca-retire.js";
import { trustedRootsPem } from "../src/pki/authority/trust-anchors.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { addRevocation } from "../src/pki/records/revocations.js";
import { pgwarden, PGWARDEN_BIN, snapshot, tempDir } from "./support/cli.js";
import { seededRandom } from "./support/seeded-random.js";

function opensslVerify(caFile: string, cert: string): boolean {
  return spawnSync("openssl", ["verify", "-CAfile", caFile, cert], { encoding: "utf8" }).status === 0;
}

function keyId(path: string): string {
  const text = spawnSync("openssl", ["x509", "-in", path, "-noout", "-ext", "subjectKeyIdentifier"], {
    encoding: "utf8",
  });
  return (text.stdout.split("\n")[1] ?? "").trim().replace(/:/g, "").toLowerCase();
}

async function pairMatches(pki: string): Promise<boolean> {
  const cert = new X509Certificate(await readFile(join(pki, "ca", "ca.crt")));
  return cert.checkPrivateKey(createPrivateKey(await readFile(join(pki, "ca", "ca.key"))));
}

test("ca rotate: a new root named a generation on; the old one kept and trusted; leaves of both verify with the bundle, each with its own root", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"])).code, 0);
    assert.equal(
      (await pgwarden(["cert", "issue", "--pki", pki, "--profile", "server", "--cn", "old", "--san", "127.0.0.1"]))
        .code,
      0,
    );
    const oldRoot = await readFile(join(pki, "ca", "ca.crt"), "utf8");
    const oldId = keyId(join(pki, "ca", "ca.crt"));
    const rotate = await pgwarden(["ca", "rotate", "--pki", pki, "--format", "json"]);
    assert.equal(rotate.code, 0, rotate.stderr);
    const result = JSON.parse(rotate.stdout) as {
      certificate: { subject: string };
      previous: { certPath: string; keyId: string };
    };
    assert.equal(result.certificate.subject, "CN=pgwarden-ca-g2");
    assert.equal(result.previous.keyId, oldId);
    assert.equal(await readFile(result.previous.certPath, "utf8"), oldRoot, "the old root is kept byte for byte");
    assert.ok(await pairMatches(pki));
    assert.equal(
      (await pgwarden(["cert", "issue", "--pki", pki, "--profile", "server", "--cn", "new", "--san", "127.0.0.1"]))
        .code,
      0,
    );
    const bundle = join(dir, "bundle.crt");
    await writeFile(bundle, await trustedRootsPem(pkiLayout(pki)));
    for (const leaf of ["old", "new"])
      assert.ok(opensslVerify(bundle, join(pki, "server", `${leaf}.crt`)), `${leaf} verifies with the bundle`);
    assert.ok(opensslVerify(join(pki, "ca", "ca.crt"), join(pki, "server", "new.crt")));
    assert.ok(
      !opensslVerify(join(pki, "ca", "ca.crt"), join(pki, "server", "old.crt")),
      "the new root alone does not verify the old leaf",
    );
    // A second rotation: g3, and both earlier roots stay in the bundle.
    assert.equal((await pgwarden(["ca", "rotate", "--pki", pki])).code, 0);
    const roots = (await trustedRootsPem(pkiLayout(pki))).match(/BEGIN CERTIFICATE/g) ?? [];
    assert.equal(roots.length, 3);
  } finally {
    await cleanup();
  }
});

test("ca rotate: an encrypted root's successor is encrypted with the same passphrase; a wrong passphrase changes nothing (exit 7)", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const env = { PGWARDEN_CA_PASSPHRASE: "correct horse" };
    assert.equal((await pgwarden(["ca", "init", "--pki", pki], { env })).code, 0);
    const before = await snapshot(pki);
    const wrong = await pgwarden(["ca", "rotate", "--pki", pki], { env: { PGWARDEN_CA_PASSPHRASE: "wrong" } });
    assert.equal(wrong.code, 7, wrong.stderr);
    assert.equal(wrong.stderr.trim().split("\n").length, 1, wrong.stderr);
    assert.deepEqual(await snapshot(pki), before, "nothing written");
    assert.equal((await pgwarden(["ca", "rotate", "--pki", pki], { env })).code, 0);
    assert.match(await readFile(join(pki, "ca", "ca.key"), "utf8"), /BEGIN ENCRYPTED PRIVATE KEY/);
    const issued = await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "app"], { env });
    assert.equal(issued.code, 0, issued.stderr);
    const noCa = await pgwarden(["ca", "rotate", "--pki", join(dir, "none")]);
    assert.equal(noCa.code, 4, noCa.stderr);
  } finally {
    await cleanup();
  }
});

test("ca rotate killed at any instant: the next command leaves a matching pair, and no root that was ever in place is lost", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"])).code, 0);
    const seen = new Set([keyId(join(pki, "ca", "ca.crt"))]);
    const random = seededRandom(14);
    for (let round = 0; round < 16; round++) {
      const child = spawn(process.execPath, [PGWARDEN_BIN, "ca", "rotate", "--pki", pki], { stdio: "ignore" });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      await new Promise((resolve) => setTimeout(resolve, 60 + Math.floor(random() * 260)));
      child.kill("SIGKILL");
      await exited;
      // Any command that loads the CA finishes or undoes the rotation first.
      const issue = await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", `u${round}`]);
      assert.equal(issue.code, 0, `round ${round}: ${issue.stderr}`);
      assert.ok(await pairMatches(pki), `round ${round}: ca.key matches ca.crt`);
      seen.add(keyId(join(pki, "ca", "ca.crt")));
      const kept = new Set([keyId(join(pki, "ca", "ca.crt"))]);
      for (const name of await readdir(join(pki, "ca", "rotated")).catch(() => [] as string[]))
        if (name.endsWith(".crt")) {
          kept.add(keyId(join(pki, "ca", "rotated", name)));
          const key = createPrivateKey(await readFile(join(pki, "ca", "rotated", name.replace(/\.crt$/, ".key"))));
          assert.ok(new X509Certificate(await readFile(join(pki, "ca", "rotated", name))).checkPrivateKey(key));
        }
      for (const id of seen) assert.ok(kept.has(id), `round ${round}: root ${id} is still kept`);
      // The bundle people paste (ca/roots.crt, from the first rotation on) always holds the root in place.
      const roots = await readFile(join(pki, "ca", "roots.crt"), "utf8").catch(() => undefined);
      if (roots !== undefined)
        assert.ok(
          roots.includes(await readFile(join(pki, "ca", "ca.crt"), "utf8")),
          `round ${round}: roots.crt holds ca.crt`,
        );
      assert.ok(!existsSync(join(pki, "db", "rotation.json")), "no journal left");
      assert.deepEqual(await readdir(join(pki, "ca", "rotating")).catch(() => []), [], "no staged files left");
    }
  } finally {
    await cleanup();
  }
});

test("ca rotate run by several processes at once: each that succeeds keeps the root it replaced; the others refuse cleanly", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"])).code, 0);
    const results = await Promise.all(Array.from({ length: 4 }, () => pgwarden(["ca", "rotate", "--pki", pki])));
    const succeeded = results.filter((result) => result.code === 0).length;
    assert.ok(succeeded >= 1);
    for (const result of results.filter((item) => item.code !== 0)) {
      assert.equal(result.code, 7, result.stderr);
      assert.match(result.stderr, /another ca rotate is running|changed while the new CA was being made/);
    }
    const rotated = (await readdir(join(pki, "ca", "rotated"))).filter((name) => name.endsWith(".crt"));
    assert.equal(rotated.length, succeeded, "one kept root per successful rotation");
    assert.ok(await pairMatches(pki));
  } finally {
    await cleanup();
  }
});

test("ca retire: refused (exit 1, listing them) while valid certificates of the old root remain; allowed once they are renewed, revoked or expired", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase"])).code, 0);
    for (const cn of ["a", "b"])
      assert.equal((await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", cn])).code, 0);
    const expired = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "client",
      "--cn",
      "gone",
      "--days",
      "1",
    ]);
    assert.equal(expired.code, 0);
    const oldId = keyId(join(pki, "ca", "ca.crt"));
    assert.equal((await pgwarden(["ca", "rotate", "--pki", pki])).code, 0);

    const unknown = await pgwarden(["ca", "retire", "--pki", pki, "no-such-ca"]);
    assert.equal(unknown.code, 4, unknown.stderr);
    const before = await snapshot(pki);
    const refused = await pgwarden(["ca", "retire", "--pki", pki, "pgwarden-ca"]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /still signs 3 valid certificates: client\/a\.crt .*client\/b\.crt .*client\/gone\.crt/,
    );
    assert.deepEqual(await snapshot(pki), before, "a refused retire writes nothing");

    // a: renewed under the new root (re-issued in place); b: revoked; gone: expires (retire is asked two days on).
    assert.equal(
      (await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "a", "--force"])).code,
      0,
    );
    const serial = spawnSync("openssl", ["x509", "-in", join(pki, "client", "b.crt"), "-noout", "-serial"], {
      encoding: "utf8",
    })
      .stdout.trim()
      .replace(/^serial=/, "")
      .toLowerCase()
      .replace(/^0+/, "");
    await addRevocation(pkiLayout(pki), {
      version: 1,
      serial: serial.length % 2 ? `0${serial}` : serial,
      issuerName: "ca",
      revokedAt: new Date().toISOString(),
      reason: "superseded",
    });
    const stillGone = await pgwarden(["ca", "retire", "--pki", pki, oldId.slice(0, 10)]);
    assert.equal(stillGone.code, 1, stillGone.stderr);
    assert.match(stillGone.stderr, /still signs 1 valid certificate: client\/gone\.crt/);

    // Two days on, "gone" has expired: nothing valid depends on the old root any more.
    const later = new Date(Date.now() + 2 * 86_400_000);
    const retired = await retireCa(pkiLayout(pki), oldId.slice(0, 10), later);
    assert.equal(retired.keyId, oldId);
    assert.deepEqual(await readdir(join(pki, "ca", "rotated")), []);
    assert.equal((await readdir(join(pki, "ca", "retired"))).length, 2, "key and certificate kept in ca/retired");
    assert.equal(
      ((await trustedRootsPem(pkiLayout(pki))).match(/BEGIN CERTIFICATE/g) ?? []).length,
      1,
      "the bundle holds the new root only",
    );
  } finally {
    await cleanup();
  }
});
