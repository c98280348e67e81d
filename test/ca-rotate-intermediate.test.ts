/*
 * Rotation with intermediates, through the real CLI, checked by openssl: issuing after a root rotation,
 * `ca rotate --intermediate` (and killed at any instant), rotated CAs keeping their CRLs (revoke, crl,
 * combined.crl, crl status, ca show) until `ca retire`, and retire for intermediates and for a root that
 * still signs an intermediate.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { JSON_SHAPES } from "../src/cli/json-shapes/index.js";
import { trustedRootsPem } from "../src/pki/authority/trust-anchors.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { readCaCrl } from "../src/pki/revocation/crl-file.js";
import { pgwarden, PGWARDEN_BIN, snapshot, tempDir } from "./support/cli.js";
import { seededRandom } from "./support/seeded-random.js";

function openssl(args: readonly string[]): { ok: boolean; out: string } {
  const result = spawnSync("openssl", args, { encoding: "utf8" });
  return { ok: result.status === 0, out: `${result.stdout}${result.stderr}` };
}

function keyId(path: string): string {
  const text = openssl(["x509", "-in", path, "-noout", "-ext", "subjectKeyIdentifier"]).out;
  return (text.split("\n")[1] ?? "").trim().replace(/:/g, "").toLowerCase();
}

function serialOf(path: string): string {
  return openssl(["x509", "-in", path, "-noout", "-serial"])
    .out.trim()
    .replace(/^serial=/, "")
    .toLowerCase();
}

/** openssl verify of a leaf against `roots` with `chain` as untrusted intermediates, optionally with CRLs of the whole chain. */
function verify(dir: string, roots: string, chain: string, leaf: string, crl?: string): { ok: boolean; out: string } {
  return openssl([
    "verify",
    "-CAfile",
    roots,
    "-untrusted",
    chain,
    ...(crl ? ["-crl_check_all", "-CRLfile", crl] : []),
    join(dir, leaf),
  ]);
}

async function issue(pki: string, cn: string, profile = "client"): Promise<void> {
  const result = await pgwarden(["cert", "issue", "--pki", pki, "--profile", profile, "--cn", cn]);
  assert.equal(result.code, 0, `${cn}: ${result.stderr}`);
}

async function setup(dir: string): Promise<string> {
  const pki = join(dir, "pki");
  const init = await pgwarden(["ca", "init", "--pki", pki, "--no-passphrase", "--intermediates"]);
  assert.equal(init.code, 0, init.stderr);
  return pki;
}

test("after ca rotate, intermediates the old root signed still issue (client and server), and the leaves verify under the roots bundle", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = await setup(dir);
    await issue(pki, "before");
    assert.equal((await pgwarden(["ca", "rotate", "--pki", pki])).code, 0);
    // Before the fix loadIssuer wanted the intermediate signed by ca/ca.crt: exit 7 here.
    await issue(pki, "after");
    const server = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "server",
      "--cn",
      "db1",
      "--san",
      "::1",
    ]);
    assert.equal(server.code, 0, server.stderr);
    const roots = join(dir, "roots.crt");
    await writeFile(roots, await trustedRootsPem(pkiLayout(pki)));
    for (const leaf of ["client/before.crt", "client/after.crt"])
      assert.ok(verify(pki, roots, join(pki, "ca", "client-ca.crt"), leaf).ok, leaf);
    assert.ok(verify(pki, roots, join(pki, "ca", "server-ca.crt"), "server/db1.crt").ok);
  } finally {
    await cleanup();
  }
});

test("ca rotate --intermediate: next-generation CN under the current root, same name constraints, new anchor twin; old files kept; new leaves from the new one", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = await setup(dir);
    const edge = await pgwarden([
      "ca",
      "intermediate",
      "create",
      "--pki",
      pki,
      "--name",
      "edge",
      "--permit-dns",
      "example.com",
      "--permit-ip",
      "10.0.0.0/8",
    ]);
    assert.equal(edge.code, 0, edge.stderr);
    assert.equal((await pgwarden(["ca", "rotate", "--pki", pki])).code, 0, "the root first: the new edge is under g2");
    const ca = join(pki, "ca");
    const oldEdge = await readFile(join(ca, "edge-ca.crt"), "utf8");
    const oldAnchor = await readFile(join(ca, "edge-ca.anchor.crt"), "utf8");
    const oldId = keyId(join(ca, "edge-ca.crt"));
    const constraints = (path: string) => openssl(["x509", "-in", path, "-noout", "-ext", "nameConstraints"]).out;

    const rotated = await pgwarden(["ca", "rotate", "--pki", pki, "--intermediate", "edge", "--format", "json"]);
    assert.equal(rotated.code, 0, rotated.stderr);
    const document: unknown = JSON.parse(rotated.stdout);
    assert.ok(JSON_SHAPES["ca rotate"]?.safeParse(document).success, "matches schemas/ca-rotate.schema.json");
    const result = document as { issuer: string; certificate: { subject: string; issuer: string } };
    assert.equal(result.issuer, "edge");
    assert.equal(result.certificate.subject, "CN=pgwarden-ca-edge-g2");
    assert.equal(result.certificate.issuer, "CN=pgwarden-ca-g2");
    const kept = join(ca, "rotated", `edge-${oldId.slice(0, 16)}`);
    assert.equal(await readFile(`${kept}.crt`, "utf8"), oldEdge, "the old intermediate is kept byte for byte");
    assert.equal(await readFile(`${kept}.anchor.crt`, "utf8"), oldAnchor, "and its anchor twin");
    assert.ok(existsSync(`${kept}.key`));
    assert.match(constraints(join(ca, "edge-ca.crt")), /DNS:example\.com[\s\S]*IP:10\.0\.0\.0\/255\.0\.0\.0/);
    assert.equal(constraints(join(ca, "edge-ca.crt")), constraints(`${kept}.crt`), "the same name constraints");
    // The new pair, and the twin: same subject and key, self-signed.
    const cert = new X509Certificate(await readFile(join(ca, "edge-ca.crt")));
    const anchor = new X509Certificate(await readFile(join(ca, "edge-ca.anchor.crt")));
    assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(join(ca, "edge-ca.key")))));
    assert.equal(anchor.subject, cert.subject);
    assert.ok(anchor.publicKey.equals(cert.publicKey) && anchor.verify(anchor.publicKey));
    assert.ok(openssl(["verify", "-CAfile", join(ca, "ca.crt"), join(ca, "edge-ca.crt")]).ok, "signed by the new root");

    // The client intermediate: leaves before and after, each verifying with its own intermediate only.
    await issue(pki, "old");
    assert.equal((await pgwarden(["ca", "rotate", "--pki", pki, "--intermediate", "client"])).code, 0);
    await issue(pki, "new");
    const rotatedClient = (await readdir(join(ca, "rotated"))).find((name) => /^client-[0-9a-f]{16}\.crt$/.test(name));
    assert.ok(rotatedClient);
    const roots = join(dir, "roots.crt");
    await writeFile(roots, await trustedRootsPem(pkiLayout(pki)));
    assert.ok(verify(pki, roots, join(ca, "client-ca.crt"), "client/new.crt").ok);
    assert.ok(
      !verify(pki, roots, join(ca, "client-ca.crt"), "client/old.crt").ok,
      "the new intermediate does not sign old",
    );
    assert.ok(verify(pki, roots, join(ca, "rotated", rotatedClient), "client/old.crt").ok);
    assert.ok(openssl(["verify", "-CAfile", join(ca, "client-ca.anchor.crt"), join(pki, "client", "new.crt")]).ok);

    // Bad input: one line, its exit code, nothing written.
    const before = await snapshot(pki);
    for (const [args, code] of [
      [["--intermediate", "nosuch"], 4],
      [["--intermediate", "Bad_Name"], 2],
      [["--intermediate", "client", "--days", "0"], 2],
    ] as const) {
      const refused = await pgwarden(["ca", "rotate", "--pki", pki, ...args]);
      assert.equal(refused.code, code, `${args.join(" ")}: ${refused.stderr}`);
      assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    }
    assert.deepEqual(await snapshot(pki), before, "nothing written");
  } finally {
    await cleanup();
  }
});

test("ca rotate --intermediate with an encrypted CA: the new key is encrypted too; a wrong passphrase changes nothing (exit 7)", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = join(dir, "pki");
    const env = { PGWARDEN_CA_PASSPHRASE: "correct horse" };
    assert.equal((await pgwarden(["ca", "init", "--pki", pki, "--intermediates"], { env })).code, 0);
    const before = await snapshot(pki);
    const wrong = await pgwarden(["ca", "rotate", "--pki", pki, "--intermediate", "client"], {
      env: { PGWARDEN_CA_PASSPHRASE: "wrong" },
    });
    assert.equal(wrong.code, 7, wrong.stderr);
    assert.deepEqual(await snapshot(pki), before, "nothing written");
    const ok = await pgwarden(["ca", "rotate", "--pki", pki, "--intermediate", "client"], { env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(await readFile(join(pki, "ca", "client-ca.key"), "utf8"), /BEGIN ENCRYPTED PRIVATE KEY/);
    const issued = await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "app"], { env });
    assert.equal(issued.code, 0, issued.stderr);
  } finally {
    await cleanup();
  }
});

test("ca rotate --intermediate killed at any instant: the next command leaves key, certificate and anchor twin of one intermediate, and no intermediate is lost", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = await setup(dir);
    const ca = join(pki, "ca");
    const seen = new Set([keyId(join(ca, "client-ca.crt"))]);
    const random = seededRandom(41);
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, [PGWARDEN_BIN, "ca", "rotate", "--pki", pki, "--intermediate", "client"], {
        stdio: "ignore",
      });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      await new Promise((resolve) => setTimeout(resolve, 60 + Math.floor(random() * 260)));
      child.kill("SIGKILL");
      await exited;
      // Issuing a client certificate loads the intermediate, which finishes or undoes the rotation first.
      await issue(pki, `u${round}`);
      const cert = new X509Certificate(await readFile(join(ca, "client-ca.crt")));
      const key = createPrivateKey(await readFile(join(ca, "client-ca.key")));
      const anchor = new X509Certificate(await readFile(join(ca, "client-ca.anchor.crt")));
      assert.ok(cert.checkPrivateKey(key), `round ${round}: client-ca.key matches client-ca.crt`);
      assert.ok(anchor.publicKey.equals(createPublicKey(key)), `round ${round}: the anchor twin is the same key`);
      assert.ok(
        new X509Certificate(await readFile(join(pki, "client", `u${round}.crt`))).verify(cert.publicKey),
        `round ${round}: the leaf was signed by the intermediate in place`,
      );
      seen.add(keyId(join(ca, "client-ca.crt")));
      const kept = new Set([keyId(join(ca, "client-ca.crt"))]);
      for (const name of await readdir(join(ca, "rotated")).catch(() => [] as string[]))
        if (/^client-[0-9a-f]{16}\.crt$/.test(name)) {
          kept.add(keyId(join(ca, "rotated", name)));
          const stem = join(ca, "rotated", name.replace(/\.crt$/, ""));
          const old = new X509Certificate(await readFile(`${stem}.crt`));
          assert.ok(old.checkPrivateKey(createPrivateKey(await readFile(`${stem}.key`))));
          assert.ok(new X509Certificate(await readFile(`${stem}.anchor.crt`)).publicKey.equals(old.publicKey));
        }
      for (const id of seen) assert.ok(kept.has(id), `round ${round}: intermediate ${id} is still kept`);
      assert.ok(!existsSync(join(pki, "db", "rotation.json")), "no journal left");
      assert.deepEqual(await readdir(join(ca, "rotating")).catch(() => []), [], "no staged files left");
    }
  } finally {
    await cleanup();
  }
});

test("rotated CAs keep their CRLs until retired: revoke, crl, combined.crl (CRL_CHECK_ALL), crl status, ca show, then ca retire", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pki = await setup(dir);
    const ca = join(pki, "ca");
    const layout = pkiLayout(pki);
    await issue(pki, "app1");
    await issue(pki, "app2");
    assert.equal((await pgwarden(["crl", "--pki", pki])).code, 0);
    const oldRootId = keyId(join(ca, "ca.crt")).slice(0, 16);
    const oldClientId = keyId(join(ca, "client-ca.crt")).slice(0, 16);
    assert.equal((await pgwarden(["ca", "rotate", "--pki", pki])).code, 0);
    assert.equal((await pgwarden(["ca", "rotate", "--pki", pki, "--intermediate", "client"])).code, 0);
    await issue(pki, "app3");

    // (a) revoke a certificate the rotated client intermediate signed: its own CRL, signed with its kept key.
    const revoked = await pgwarden(["cert", "revoke", "--pki", pki, "--cn", "app1", "--reason", "keyCompromise"]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const oldClientCrl = join(pki, "crl", `client-${oldClientId}.crl`);
    const oldClientCert = join(ca, "rotated", `client-${oldClientId}.crt`);
    const check = openssl(["crl", "-in", oldClientCrl, "-CAfile", oldClientCert, "-noout", "-verify", "-text"]);
    assert.ok(check.ok && /verify OK/.test(check.out), check.out);
    assert.match(check.out, new RegExp(`Serial Number: ${serialOf(join(pki, "client", "app1.crt"))}`, "i"));
    assert.match(check.out, /Issuer: CN = pgwarden-ca-client\n/);
    const current = openssl(["crl", "-in", join(pki, "crl", "client.crl"), "-noout", "-text"]).out;
    assert.doesNotMatch(current, /Serial Number/, "the new client intermediate's CRL does not list it");

    // (b) pgwarden crl writes every trusted CA's CRL, and combined.crl holds them all.
    const written = await pgwarden(["crl", "--pki", pki, "--format", "json"]);
    assert.equal(written.code, 0, written.stderr);
    const issuers = (JSON.parse(written.stdout) as { crls: { issuer: string }[] }).crls.map((crl) => crl.issuer);
    assert.deepEqual(issuers.sort(), ["ca", `ca-${oldRootId}`, "client", `client-${oldClientId}`, "server"].sort());
    const rootCrl = openssl([
      "crl",
      "-in",
      join(pki, "crl", `ca-${oldRootId}.crl`),
      "-CAfile",
      join(ca, "rotated", `ca-${oldRootId}.crt`),
      "-noout",
      "-verify",
    ]);
    assert.ok(rootCrl.ok, rootCrl.out);
    const combined = join(pki, "crl", "combined.crl");
    assert.equal(((await readFile(combined, "utf8")).match(/BEGIN X509 CRL/g) ?? []).length, 5);
    const roots = join(dir, "roots.crt");
    await writeFile(roots, await trustedRootsPem(layout));
    const chain = join(dir, "chain.crt");
    await writeFile(
      chain,
      (await readFile(oldClientCert, "utf8")) + (await readFile(join(ca, "client-ca.crt"), "utf8")),
    );
    // What a server with CRL_CHECK_ALL decides: app2 (old intermediate) and app3 (new) in, app1 revoked.
    assert.ok(verify(pki, roots, chain, "client/app2.crt", combined).ok);
    assert.ok(verify(pki, roots, chain, "client/app3.crt", combined).ok);
    const app1 = verify(pki, roots, chain, "client/app1.crt", combined);
    assert.ok(!app1.ok && /certificate revoked/.test(app1.out), app1.out);
    // Without the rotated CAs' CRLs, the old intermediate's certificates are locked out: why they must be there.
    const partial = join(dir, "partial.crl");
    await writeFile(
      partial,
      (
        await Promise.all(["ca", "client", "server"].map((name) => readFile(join(pki, "crl", `${name}.crl`), "utf8")))
      ).join(""),
    );
    const lockedOut = verify(pki, roots, chain, "client/app2.crt", partial);
    assert.ok(!lockedOut.ok && /unable to get certificate CRL/.test(lockedOut.out), lockedOut.out);
    // readCaCrl (what pg tls installs) accepts the full file, and refuses one without a rotated CA's CRL.
    assert.ok(await readCaCrl(layout, { issuers: [], now: new Date() }));
    const full = await readFile(combined, "utf8");
    await writeFile(combined, await readFile(partial, "utf8"));
    await assert.rejects(readCaCrl(layout, { issuers: [], now: new Date() }), (error: Error) =>
      new RegExp(`holds no CRL of issuer ca-${oldRootId}, client-${oldClientId}`).test(error.message),
    );
    await writeFile(combined, full);

    // crl status and ca show list the rotated CAs.
    const status = await pgwarden(["crl", "status", "--pki", pki, "--format", "json"]);
    assert.equal(status.code, 0, status.stderr);
    assert.ok(
      JSON_SHAPES["crl status"]?.safeParse(JSON.parse(status.stdout)).success,
      "schemas/crl-status.schema.json",
    );
    const statuses = (
      JSON.parse(status.stdout) as { issuers: { issuer: string; rotatedKeyId?: string; revocations: number }[] }
    ).issuers;
    const oldClientStatus = statuses.find((item) => item.issuer === `client-${oldClientId}`);
    assert.equal(oldClientStatus?.revocations, 1);
    assert.equal(oldClientStatus?.rotatedKeyId?.slice(0, 16), oldClientId);
    assert.equal(statuses.find((item) => item.issuer === "client")?.revocations, 0);
    const shown = await pgwarden(["ca", "show", "--pki", pki]);
    assert.equal(shown.code, 0, shown.stderr);
    const shownJson = await pgwarden(["ca", "show", "--pki", pki, "--format", "json"]);
    const overview: unknown = JSON.parse(shownJson.stdout);
    assert.ok(JSON_SHAPES["ca show"]?.safeParse(overview).success, "schemas/ca-show.schema.json");
    assert.deepEqual(
      (overview as { issuers: { name: string; rotated: boolean }[] }).issuers.map((item) => [item.name, item.rotated]),
      [
        ["ca", false],
        ["client", false],
        ["server", false],
        [`ca-${oldRootId}`, true],
        [`client-${oldClientId}`, true],
      ],
    );
    assert.match(shown.stdout, new RegExp(`^ca-${oldRootId} \\(root CA, rotated, trusted until retired\\)$`, "m"));
    assert.match(
      shown.stdout,
      new RegExp(
        `^client-${oldClientId} \\(intermediate CA, rotated, trusted until retired\\)\\n[\\s\\S]*?validity:`,
        "m",
      ),
    );
    assert.match(
      shown.stdout,
      new RegExp(`crl:\\s+number \\d+, next update \\S+, 1 revoked \\(current, crl/client-${oldClientId}\\.crl\\)`),
    );

    // (4) retire: the old client intermediate is refused while app2 is valid; the old root while it signs
    // the current server intermediate and the rotated client one. Nothing written on refusal.
    const before = await snapshot(pki);
    const clientRefused = await pgwarden(["ca", "retire", "--pki", pki, "pgwarden-ca-client"]);
    assert.equal(clientRefused.code, 1, clientRefused.stderr);
    assert.match(clientRefused.stderr, /still signs 1 valid certificate: client\/app2\.crt/);
    const rootRefused = await pgwarden(["ca", "retire", "--pki", pki, "pgwarden-ca"]);
    assert.equal(rootRefused.code, 1, rootRefused.stderr);
    assert.match(
      rootRefused.stderr,
      new RegExp(`still signs 2 valid certificates: ca/rotated/client-${oldClientId}\\.crt .*ca/server-ca\\.crt`),
    );
    assert.deepEqual(await snapshot(pki), before, "a refused retire writes nothing");

    assert.equal((await pgwarden(["cert", "revoke", "--pki", pki, "--cn", "app2"])).code, 0);
    const retired = await pgwarden(["ca", "retire", "--pki", pki, oldClientId.slice(0, 10), "--format", "json"]);
    assert.equal(retired.code, 0, retired.stderr);
    assert.ok(JSON_SHAPES["ca retire"]?.safeParse(JSON.parse(retired.stdout)).success, "schemas/ca-retire.schema.json");
    for (const suffix of ["key", "crt", "anchor.crt"]) {
      assert.ok(existsSync(join(ca, "retired", `client-${oldClientId}.${suffix}`)), suffix);
      assert.ok(!existsSync(join(ca, "rotated", `client-${oldClientId}.${suffix}`)), suffix);
    }
    assert.equal(
      ((await readFile(combined, "utf8")).match(/BEGIN X509 CRL/g) ?? []).length,
      4,
      "its CRL left combined.crl",
    );
    assert.ok(await readCaCrl(layout, { issuers: [], now: new Date() }), "and the combined file is complete again");
    const again = await pgwarden(["cert", "revoke", "--pki", pki, "--cn", "app2", "--format", "json"]);
    assert.equal(again.code, 0, `revoked before its CA was retired: already revoked, ${again.stderr}`);
    assert.equal((JSON.parse(again.stdout) as { alreadyRevoked: boolean }).alreadyRevoked, true);
    const afterStatus = await pgwarden(["crl", "status", "--pki", pki]);
    assert.doesNotMatch(afterStatus.stdout, new RegExp(`client-${oldClientId}`));

    // The root: still signs the current server intermediate; rotate it, retire the old one, then the root goes.
    const stillServer = await pgwarden(["ca", "retire", "--pki", pki, "pgwarden-ca"]);
    assert.equal(stillServer.code, 1);
    assert.match(stillServer.stderr, /still signs 1 valid certificate: ca\/server-ca\.crt/);
    assert.equal((await pgwarden(["ca", "rotate", "--pki", pki, "--intermediate", "server"])).code, 0);
    const oldServer = await pgwarden(["ca", "retire", "--pki", pki, "pgwarden-ca-server"]);
    assert.equal(oldServer.code, 0, oldServer.stderr);
    const root = await pgwarden(["ca", "retire", "--pki", pki, "pgwarden-ca"]);
    assert.equal(root.code, 0, root.stderr);
    assert.deepEqual(await readdir(join(ca, "rotated")), []);
    assert.equal(((await trustedRootsPem(layout)).match(/BEGIN CERTIFICATE/g) ?? []).length, 1);
    // app3 (new intermediate, new root) still verifies; a certificate of the old client intermediate no longer does.
    await writeFile(roots, await trustedRootsPem(layout));
    assert.ok(verify(pki, roots, join(ca, "client-ca.crt"), "client/app3.crt").ok);
    assert.ok(!verify(pki, roots, join(ca, "retired", `client-${oldClientId}.crt`), "client/app2.crt").ok);
  } finally {
    await cleanup();
  }
});
