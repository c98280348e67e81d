/*
 * Revocation as a real PostgreSQL 15 enforces it: pgwarden's CRLs installed with pg tls
 * --reload, a revoked client certificate refused while the others get in, a CRL of 100,000
 * entries reloaded, and the outage a CRL past its nextUpdate causes (every certificate of its
 * issuer refused, "CRL has expired"), ended by pgwarden crl and a reinstall.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { issuerFiles } from "../src/pki/authority/issuers.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { readRevocations } from "../src/pki/records/revocations.js";
import { loadCrlSigner } from "../src/pki/revocation/crl-signer.js";
import { signCrl, writeCrls } from "../src/pki/revocation/crl-writer.js";
import { pgwarden, tempDir } from "./support/cli.js";
import { type Cluster, runClient, startCluster, waitForLogLines } from "./support/pg-cluster.js";

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };
let pki: string;
const USERS = ["alice", "bob", "carol", "dave"];

async function ok(args: string[]): Promise<string> {
  const result = await pgwarden(["--pki", pki, ...args]);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

const install = () => ok(["pg", "tls", "--pgdata", cluster.dataDir, "--cn", "localhost", "--reload"]);

/** psql as `user` with its client certificate, verify-full: exit code and stderr. */
async function login(user: string): Promise<{ code: number; stderr: string }> {
  const result = await runClient("psql", [
    "-X",
    "-A",
    "-t",
    "-c",
    "select current_user",
    `host=localhost port=${cluster.port} dbname=postgres user=${user} sslmode=verify-full sslrootcert=${pki}/ca/ca.crt ` +
      `sslcert=${pki}/client/${user}.crt sslkey=${pki}/client/${user}.key`,
  ]);
  if (result.code === 0) assert.equal(result.stdout.trim(), user);
  return { code: result.code ?? -1, stderr: result.stderr };
}

async function serialOf(user: string): Promise<string> {
  return new X509Certificate(await readFile(join(pki, "client", `${user}.crt`))).serialNumber.toLowerCase();
}

before(async () => {
  work = await tempDir("pgwarden-crl-pg-");
  pki = join(work.dir, "pki");
  await ok(["ca", "init"]);
  for (const user of USERS) await ok(["cert", "issue", "--profile", "client", "--cn", user]);
  cluster = await startCluster({ hba: ["host all all 127.0.0.1/32 scram-sha-256"] });
  for (const user of USERS) await cluster.sql(`CREATE ROLE ${user} LOGIN`);
  await ok(["crl"]);
  await install();
  await cluster.writeHba(["hostssl all all 127.0.0.1/32 cert"]);
  await cluster.reload();
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

test('cert revoke + pg tls --reload: the revoked client certificate is refused ("certificate revoked"), the others get in', async () => {
  assert.equal(await cluster.sql("SHOW ssl_crl_file"), "root.crl");
  assert.equal((await login("alice")).code, 0, "before the revocation alice gets in");
  const revoked = await pgwarden(["--pki", pki, "cert", "revoke", "--cn", "alice", "--reason", "keyCompromise"]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stderr, /pg tls .*--reload/, "it says how to install the CRL");
  // Not installed yet: the server still has the old CRL.
  assert.equal((await login("alice")).code, 0);
  const offset = (await cluster.log()).length;
  await install();
  const refused = await login("alice");
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /certificate revoked/);
  // PostgreSQL 15 logs no reason (16 adds "Client certificate verification failed at depth ..."): the client's alert names it.
  assert.ok(
    (await waitForLogLines(cluster, offset, /could not accept SSL connection: certificate verify failed/, 1)) >= 1,
  );
  assert.equal((await login("bob")).code, 0);
  assert.equal((await login("carol")).code, 0);
});

test("a CRL of 100,000 revoked serials: pg tls installs it, pg_reload_conf loads it, a revoked serial among them is refused, bob still gets in", async () => {
  const layout = pkiLayout(pki);
  const signer = await loadCrlSigner(issuerFiles(layout, "ca"));
  const now = new Date();
  // The revocations on record are in it too: pg tls refuses a CRL that lacks one (it would let that certificate in).
  const { revocations } = await readRevocations(pkiLayout(pki));
  const entries = [
    ...revocations.map((revocation) => ({ serial: revocation.serial, revokedAt: now, reasonCode: 1 })),
    ...Array.from({ length: 99_999 - revocations.length }, () => ({
      serial: randomBytes(16).toString("hex"),
      revokedAt: now,
      reasonCode: 1,
    })),
  ];
  entries.splice(50_000, 0, { serial: await serialOf("carol"), revokedAt: now, reasonCode: 4 });
  const { pem } = signCrl(signer, entries, { number: 1_000, now, days: 7 });
  await writeFile(join(pki, "crl", "ca.crl"), pem);
  await writeFile(join(pki, "crl", "combined.crl"), pem);
  const started = Date.now();
  await install();
  const reloadMs = Date.now() - started;
  const installed = await readFile(join(cluster.dataDir, "root.crl"), "utf8");
  assert.equal(installed, pem);
  assert.ok(installed.length > 3_000_000, `${installed.length} bytes`);
  await cluster.reload();
  assert.equal((await login("bob")).code, 0, "a certificate not in the 100,000 gets in");
  const carol = await login("carol");
  assert.notEqual(carol.code, 0);
  assert.match(carol.stderr, /certificate revoked/);
  // Recorded for the reader of the test output: pg tls with its check, install and reload.
  process.stdout.write(`# pg tls --reload with a 100,000-entry CRL: ${reloadMs} ms\n`);
  // Put pgwarden's own CRL back for the next test.
  await ok(["crl"]);
  await install();
});

test("a CRL past its nextUpdate makes PostgreSQL refuse every certificate of its issuer; pgwarden crl + install + reload lets them in again", async () => {
  const layout = pkiLayout(pki);
  // Signed ten days ago for one day: expired nine days ago, through the same writer with a clock in the past.
  const past = new Date(Date.now() - 10 * 24 * 60 * 60 * 1000);
  await writeCrls(layout, { now: past, days: 1 });
  const status = await pgwarden(["--pki", pki, "crl", "status"]);
  assert.equal(status.code, 1);
  assert.match(status.stderr, /expired at/);
  // pg tls refuses to install it (crl-check); put it in place as a forgotten timer would leave it: the old file, expired.
  const refusedInstall = await pgwarden(["--pki", pki, "pg", "tls", "--pgdata", cluster.dataDir, "--cn", "localhost"]);
  assert.equal(refusedInstall.code, 7);
  assert.match(refusedInstall.stderr, /expired on/);
  await writeFile(join(cluster.dataDir, "root.crl"), await readFile(join(pki, "crl", "combined.crl")));
  const offset = (await cluster.log()).length;
  await cluster.reload();
  for (const user of ["bob", "dave"]) {
    const refused = await login(user);
    assert.notEqual(refused.code, 0, `${user} is refused with an expired CRL`);
    // OpenSSL maps X509_V_ERR_CRL_HAS_EXPIRED to the "certificate expired" alert: what the client sees for a valid certificate.
    assert.match(refused.stderr, /certificate expired/);
  }
  // PostgreSQL 15's log gives no reason (16 adds the depth and OpenSSL's text); OpenSSL, given the same files, names it.
  assert.ok(
    (await waitForLogLines(cluster, offset, /could not accept SSL connection: certificate verify failed/, 2)) >= 2,
  );
  const verdict = await runClient("openssl", [
    "verify",
    "-crl_check_all",
    "-CAfile",
    join(cluster.dataDir, "root.crt"),
    "-CRLfile",
    join(cluster.dataDir, "root.crl"),
    join(pki, "client", "bob.crt"),
  ]);
  assert.notEqual(verdict.code, 0);
  assert.match(verdict.stdout + verdict.stderr, /CRL has expired/);
  await ok(["crl"]);
  await install();
  assert.equal((await login("bob")).code, 0);
  assert.equal((await login("dave")).code, 0);
  assert.notEqual((await login("alice")).code, 0, "alice stays revoked");
});

/** The serial (lower-case hex) of the certificate a real handshake is served, as OpenSSL prints it. */
function servedSerial(): string {
  const handshake = spawnSync(
    "openssl",
    ["s_client", "-starttls", "postgres", "-connect", `127.0.0.1:${cluster.port}`, "-servername", "localhost"],
    { input: "", encoding: "utf8", timeout: 20_000 },
  );
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(handshake.stdout)?.[0];
  assert.ok(pem, `s_client printed the server's certificate: ${handshake.stderr}`);
  return new X509Certificate(pem).serialNumber.toLowerCase();
}

test("cert revoke of the served server certificate: pg tls --reload re-issues it saying why, and libpq with the exported sslcrl connects", async () => {
  const before = servedSerial();
  assert.equal(
    before,
    new X509Certificate(await readFile(join(pki, "server", "localhost.crt"))).serialNumber.toLowerCase(),
    "the PKI's server certificate is the one served",
  );
  await ok(["cert", "revoke", before, "--reason", "keyCompromise"]);
  await ok(["crl"]);
  const out = await install();
  assert.match(out, /reissued: it was revoked/, out);
  const after = servedSerial();
  assert.notEqual(after, before, "a new serial is served");
  const bundle = join(work.dir, "bob-bundle");
  await mkdir(bundle, { mode: 0o700 });
  const exported = await pgwarden([
    ...["--pki", pki, "cert", "export", "--cn", "bob", "--out", bundle, "--host", "localhost", "--format", "json"],
    ...["--port", String(cluster.port)],
  ]);
  assert.equal(exported.code, 0, exported.stderr);
  const libpq = (JSON.parse(exported.stdout) as { libpq: string }).libpq;
  assert.match(libpq, /sslcrl=/);
  assert.match(exported.stderr, /refresh it before then/);
  const connected = await runClient("psql", ["-X", "-A", "-t", "-c", "select current_user", libpq]);
  assert.equal(connected.code, 0, connected.stderr);
  assert.equal(connected.stdout.trim(), "bob");
});
