import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pgwarden, snapshot, tempDir } from "./support/cli.js";
import { runClient, startCluster, type Cluster } from "./support/pg-cluster.js";

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };
let pki: string;

before(async () => {
  work = await tempDir("pgwarden-pgtls-");
  pki = join(work.dir, "pki");
  assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
  // A cluster made with TLS off, as most are.
  cluster = await startCluster({ hba: ["host all all 127.0.0.1/32 scram-sha-256"] });
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

const tlsArgs = () => ["pg", "tls", "--pki", pki, "--pgdata", cluster.dataDir, "--cn", "localhost", "--format", "json"];

/** The certificate the server serves, as OpenSSL's own client sees it after `STARTTLS` in PostgreSQL's protocol. */
async function servedByOpenssl(): Promise<{ fingerprint: string; verify: string }> {
  const result = await runClient("openssl", ["s_client", "-starttls", "postgres", "-connect", `127.0.0.1:${cluster.port}`, "-CAfile", join(pki, "ca", "ca.crt"), "-verify_hostname", "localhost", "-verify_return_error"], { input: "" });
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(result.stdout)?.[0];
  assert.ok(pem, `openssl s_client showed no certificate: ${result.stderr}`);
  return { fingerprint: new X509Certificate(pem).fingerprint256, verify: /Verify return code: .*/.exec(result.stdout)?.[0] ?? "" };
}

test("ssl is off before: the server refuses TLS", async () => {
  assert.equal(await cluster.sql("SHOW ssl"), "off");
});

test("--dry-run prints every file and setting it would change and writes nothing", async () => {
  const before = await snapshot(cluster.dataDir);
  const pkiBefore = await snapshot(pki);
  const result = await pgwarden(["pg", "tls", "--pki", pki, "--pgdata", cluster.dataDir, "--cn", "localhost", "--dry-run"]);
  assert.equal(result.code, 0, result.stderr);
  for (const name of ["server.crt", "server.key", "root.crt", "pgwarden.conf", "postgresql.conf"]) assert.match(result.stdout, new RegExp(`would (create|replace)\\s+\\S*${name.replace(".", "\\.")}`));
  for (const setting of ["ssl = 'on'", "ssl_cert_file = 'server.crt'", "ssl_min_protocol_version = 'TLSv1.2'"]) assert.ok(result.stdout.includes(setting), setting);
  assert.deepEqual(await snapshot(cluster.dataDir), before);
  assert.deepEqual(await snapshot(pki), pkiBefore, "no certificate issued by a dry run");
});

test("pg tls --reload turns TLS on; the served certificate is verified by pgwarden and by openssl", async () => {
  const result = await pgwarden([...tlsArgs(), "--reload"]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { certificate: { path: string; action: string }; reloaded: boolean; served: { running: boolean; matches: boolean; probe: { verified: boolean; fingerprintSha256: string } } };
  assert.equal(report.certificate.action, "issued");
  assert.ok(report.reloaded && report.served.running && report.served.matches && report.served.probe.verified);
  assert.equal(await cluster.sql("SHOW ssl"), "on");
  assert.equal(await cluster.sql("SHOW ssl_min_protocol_version"), "TLSv1.2");
  const issued = new X509Certificate(await readFile(report.certificate.path));
  const seen = await servedByOpenssl();
  assert.equal(seen.fingerprint, issued.fingerprint256);
  assert.equal(seen.verify, "Verify return code: 0 (ok)");
  for (const name of ["server.crt", "server.key", "root.crt"]) {
    const info = await stat(join(cluster.dataDir, name));
    assert.equal(info.mode & 0o777, 0o600, `${name} mode`);
    assert.equal(info.uid, (await stat(cluster.dataDir)).uid, `${name} owner`);
  }
  const conf = await readFile(join(cluster.dataDir, "postgresql.conf"), "utf8");
  assert.equal(conf.match(/include_if_exists = 'pgwarden\.conf'/g)?.length, 1);
  const backups = (await readdir(cluster.dataDir)).filter((name) => name.endsWith(".bak"));
  assert.deepEqual(backups.map((name) => name.replace(/\..*$/, "")), ["postgresql"], "the user's postgresql.conf was kept before the include line was added");
});

test("a second run changes nothing", async () => {
  const before = await snapshot(cluster.dataDir);
  const result = await pgwarden([...tlsArgs(), "--reload"]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { plan: { changed: boolean; files: { action: string }[] }; reloaded: boolean; served: { matches: boolean } };
  assert.equal(report.plan.changed, false);
  assert.ok(report.plan.files.every((file) => file.action === "unchanged"));
  assert.equal(report.reloaded, false);
  assert.ok(report.served.matches);
  assert.deepEqual(await snapshot(cluster.dataDir), before);
});

test("a server key made 0644 by hand is reported with PostgreSQL's reason, and nothing is touched", async () => {
  const { chmod } = await import("node:fs/promises");
  const key = join(cluster.dataDir, "server.key");
  await chmod(key, 0o644);
  const before = await snapshot(cluster.dataDir);
  const result = await pgwarden([...tlsArgs(), "--reload", "--san", "localhost", "--san", "127.0.0.1", "--san", "db.test"]);
  assert.equal(result.code, 7);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(result.stderr, /server\.key: it has group or world access \(mode 0644\), so PostgreSQL refuses it/);
  assert.deepEqual(await snapshot(cluster.dataDir), before);

  // PostgreSQL agrees: reloading with that key keeps the old TLS setup and says why.
  await cluster.sql("SELECT pg_reload_conf()");
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.match(await cluster.log(), /private key file "server\.key" has group or world access/);

  const fixed = await pgwarden([...tlsArgs(), "--reload", "--force"]);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal((await stat(key)).mode & 0o777, 0o600);
});

test("a reload PostgreSQL rejects is a failure quoting the server log", async () => {
  // An ALTER SYSTEM override (read after pgwarden.conf) points the server at a key that does not exist.
  await cluster.sql("ALTER SYSTEM SET ssl_key_file = 'missing.key'");
  const result = await pgwarden([...tlsArgs(), "--reload", "--san", "localhost", "--san", "127.0.0.1", "--san", "db2.test", "--log", cluster.logFile]);
  await cluster.sql("ALTER SYSTEM RESET ssl_key_file");
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stderr, /warning: postgresql\.auto\.conf sets ssl_key_file/);
  assert.match(result.stderr, /PostgreSQL did not take the new TLS configuration: .*missing\.key/);
  const repaired = await pgwarden([...tlsArgs(), "--reload", "--san", "localhost", "--san", "127.0.0.1", "--san", "db2.test"]);
  assert.equal(repaired.code, 0, repaired.stderr);
});
