import assert from "node:assert/strict";
import { randomBytes, X509Certificate } from "node:crypto";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";
import { runClient } from "./support/pg-cluster.js";
import { makeCertificate, makeCrl } from "./support/x509-fixtures.js";

// Sandboxes live straight under the temp dir: the postgres account must be able to enter it.
const sandboxDir = (label: string) =>
  join(tmpdir(), `pgwarden-sandbox-test-${label}-${randomBytes(4).toString("hex")}`);

let work: { dir: string; cleanup: () => Promise<void> };
let pki: string;
const first = sandboxDir("a");
const second = sandboxDir("b");

interface UpJson {
  state: { port: number; superuser: string; pgdata: string; logFile: string };
  action: string;
  served: { running: boolean; matches: boolean; probe: { protocol: string; verified: boolean } };
}

async function up(dir: string, extra: string[] = []): Promise<UpJson> {
  const result = await pgwarden(["sandbox", "up", "--pki", pki, "--dir", dir, "--format", "json", ...extra]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as UpJson;
}

function psqlAs(user: string, port: number, sslmode = "verify-full") {
  const conninfo = `host=localhost port=${port} dbname=postgres user=${user} sslmode=${sslmode} sslrootcert=${pki}/ca/ca.crt sslcert=${pki}/sandbox/${user}.crt sslkey=${pki}/sandbox/${user}.key`;
  return runClient("psql", [
    "-X",
    "-A",
    "-t",
    "-c",
    "SELECT current_user || ' ' || version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    conninfo,
  ]);
}

before(async () => {
  work = await tempDir("pgwarden-sandbox-");
  pki = join(work.dir, "pki");
});

after(async () => {
  for (const dir of [first, second]) await pgwarden(["sandbox", "down", "--dir", dir, "--purge"]);
  await Promise.all([first, second].map((dir) => rm(dir, { recursive: true, force: true })));
  await work.cleanup();
});

test("sandbox up: a cluster secured from its first start, proven with psql over verify-full", async () => {
  const started = await up(first);
  assert.equal(started.action, "created");
  assert.ok(started.served.matches && started.served.probe.verified, "the served certificate is the CA-signed one");
  const { port, superuser } = started.state;
  const ok = await psqlAs(superuser, port);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout.trim(), new RegExp(`^${superuser} TLSv1\\.[23]$`));
  const plain = await runClient("psql", [
    "-X",
    "-c",
    "select 1",
    `host=127.0.0.1 port=${port} dbname=postgres user=${superuser} sslmode=disable`,
  ]);
  assert.notEqual(plain.code, 0);
  assert.match(plain.stderr, /no pg_hba\.conf entry .* no encryption/);
  const password = await runClient("psql", [
    "-X",
    "-c",
    "select 1",
    `host=localhost port=${port} dbname=postgres user=${superuser} sslmode=verify-full sslrootcert=${pki}/ca/ca.crt`,
  ]);
  assert.notEqual(password.code, 0, "without a client certificate there is no way in");
  const facts = await runClient("psql", [
    "-X",
    "-A",
    "-t",
    "-F",
    "|",
    "-c",
    "SELECT current_setting('data_checksums'), current_setting('listen_addresses'), current_setting('ssl_min_protocol_version'), current_setting('password_encryption'), (SELECT string_agg(type || ' ' || array_to_string(user_name, ',') || ' ' || coalesce(address, '') || ' ' || auth_method, '; ' ORDER BY line_number) FROM pg_hba_file_rules)",
    `host=localhost port=${port} dbname=postgres user=${superuser} sslmode=verify-full sslrootcert=${pki}/ca/ca.crt sslcert=${pki}/sandbox/${superuser}.crt sslkey=${pki}/sandbox/${superuser}.key`,
  ]);
  assert.equal(facts.code, 0, facts.stderr);
  assert.equal(
    facts.stdout.trim(),
    `on|127.0.0.1|TLSv1.2|scram-sha-256|local ${superuser}  peer; hostssl all 127.0.0.1 cert; hostssl all ::1 cert`,
  );
  const served = new X509Certificate(await readFile(join(pki, "sandbox", "localhost.crt")));
  const ownName = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(hostname()) ? [`DNS:${hostname().toLowerCase()}`] : [];
  for (const name of ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", ...ownName])
    assert.ok(served.subjectAltName?.includes(name), `${name} in ${served.subjectAltName}`);
});

test("sandbox status proves TLS from a real handshake; a second sandbox coexists on another port", async () => {
  const status = await pgwarden(["sandbox", "status", "--pki", pki, "--dir", first, "--format", "json"]);
  assert.equal(status.code, 0, status.stderr);
  const report = JSON.parse(status.stdout) as {
    running: boolean;
    healthy: boolean;
    probe: { protocol: string; cipher: string; notAfter: string; verified: boolean };
  };
  assert.ok(report.running && report.healthy && report.probe.verified);
  assert.match(report.probe.protocol, /^TLSv1\.[23]$/);
  assert.ok(report.probe.cipher.length > 0);
  assert.ok(new Date(report.probe.notAfter).getTime() > Date.now());

  const other = await up(second);
  const firstState = (await up(first)).state;
  assert.notEqual(other.state.port, firstState.port);
  for (const port of [firstState.port, other.state.port])
    assert.equal((await psqlAs(firstState.superuser, port)).code, 0);
});

test("sandbox up again leaves a running sandbox alone; down stops it, status says so, up starts it", async () => {
  const again = await up(first);
  assert.equal(again.action, "running");
  const down = await pgwarden(["sandbox", "down", "--dir", first]);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, /stopped/);
  const stopped = await pgwarden(["sandbox", "status", "--pki", pki, "--dir", first]);
  assert.equal(stopped.code, 1);
  assert.match(stopped.stdout, /server:\s+stopped/);
  const restarted = await up(first);
  assert.equal(restarted.action, "started");
  assert.equal(restarted.state.port, again.state.port);
  assert.equal((await psqlAs(restarted.state.superuser, restarted.state.port)).code, 0);
});

test("sandbox bad input: missing server programs exit 4, a taken port exit 2, no sandbox exit 4", async () => {
  const noBin = await pgwarden([
    "sandbox",
    "up",
    "--pki",
    pki,
    "--dir",
    sandboxDir("x"),
    "--pg-bin",
    join(work.dir, "nowhere"),
  ]);
  assert.equal(noBin.code, 4);
  assert.match(noBin.stderr, /^pgwarden: error: --pg-bin .* does not hold initdb, pg_ctl, postgres/);
  const taken = (await up(first)).state.port;
  const busy = await pgwarden(["sandbox", "up", "--pki", pki, "--dir", sandboxDir("y"), "--port", String(taken)]);
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, /port \d+ on 127\.0\.0\.1 is taken/);
  const none = await pgwarden(["sandbox", "status", "--pki", pki, "--dir", join(work.dir, "none")]);
  assert.equal(none.code, 4);
  assert.equal(none.stderr.trim().split("\n").length, 1);
  const badPort = await pgwarden(["sandbox", "up", "--pki", pki, "--dir", sandboxDir("z"), "--port", "99999"]);
  assert.equal(badPort.code, 2);
});

test("sandbox up refuses a CRL the CA did not sign before it makes anything: no directory, no server", async () => {
  const own = await tempDir("pgwarden-sandbox-crl-");
  const dir = sandboxDir("crl");
  try {
    const ownPki = join(own.dir, "pki");
    const init = await pgwarden(["ca", "init", "--pki", ownPki]);
    assert.equal(init.code, 0, init.stderr);
    const now = new Date();
    const foreign = await makeCertificate({ name: "CN=other-ca" }, now);
    await mkdir(join(ownPki, "crl"), { recursive: true });
    await writeFile(join(ownPki, "crl", "ca.crl"), await makeCrl({ issuer: foreign }, now));
    const result = await pgwarden(["sandbox", "up", "--pki", ownPki, "--dir", dir]);
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stderr.trim(), /ca\.crl was issued by "CN=other-ca", not by this PKI's CA/);
    await assert.rejects(stat(dir), "no sandbox directory was made");
  } finally {
    await rm(dir, { recursive: true, force: true });
    await own.cleanup();
  }
});
