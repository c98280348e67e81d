/*
 * Adding intermediates to a PKI already deployed (ca init --intermediates) on a real PostgreSQL 15: pg tls --reload
 * would move ssl_ca_file from the root to the client intermediate's anchor and lock out every client certificate
 * the root signed. It is refused (exit 7, naming them and the fix, nothing changed: they still log in); after
 * cert renew --all --group client --issuer client it goes through and the renewed certificates log in.
 * sandbox up run again re-issues its own superuser's certificate from "client" instead of locking it out.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";
import { type Cluster, runClient, startCluster } from "./support/pg-cluster.js";
import { startSandbox } from "./support/sandbox.js";

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };
let pki: string;
const USERS = ["alice", "bob"];

async function ok(args: string[]): Promise<string> {
  const result = await pgwarden(["--pki", pki, ...args]);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

const tlsArgs = () => ["pg", "tls", "--pgdata", cluster.dataDir, "--cn", "localhost", "--reload"];

/** psql as `user` with the certificate file in the PKI (leaf, and its intermediate when one signed it), verify-full. */
async function login(user: string): Promise<{ code: number; stderr: string }> {
  const cert = join(pki, "client", `${user}.crt`);
  const fullchain = join(pki, "client", `${user}.fullchain.crt`);
  const sslcert = await readFile(fullchain).then(
    () => fullchain,
    () => cert,
  );
  const result = await runClient("psql", [
    "-X",
    "-A",
    "-t",
    "-c",
    "select current_user",
    `host=localhost port=${cluster.port} dbname=postgres user=${user} sslmode=verify-full sslrootcert=${pki}/ca/ca.crt ` +
      `sslcert=${sslcert} sslkey=${pki}/client/${user}.key`,
  ]);
  if (result.code === 0) assert.equal(result.stdout.trim(), user);
  return { code: result.code ?? -1, stderr: result.stderr };
}

before(async () => {
  work = await tempDir("pgwarden-adopt-");
  pki = join(work.dir, "pki");
  await ok(["ca", "init"]);
  for (const user of USERS) await ok(["cert", "issue", "--profile", "client", "--cn", user]);
  cluster = await startCluster({ hba: ["host all all 127.0.0.1/32 scram-sha-256"] });
  for (const user of USERS) await cluster.sql(`CREATE ROLE ${user} LOGIN`);
  await ok(tlsArgs());
  await cluster.writeHba(["hostssl all all 127.0.0.1/32 cert"]);
  await cluster.reload();
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

test("ca init --intermediates, then pg tls --reload: refused (exit 7) naming the root's client certificates; they still log in", async () => {
  for (const user of USERS) assert.equal((await login(user)).code, 0, `${user} logs in before`);
  await ok(["ca", "init", "--intermediates"]);
  const installedBefore = await readFile(join(cluster.dataDir, "root.crt"), "utf8");
  const refused = await pgwarden(["--pki", pki, ...tlsArgs()]);
  assert.equal(refused.code, 7, refused.stderr);
  assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  assert.match(refused.stderr, /lock out 2 client certificate\(s\)/);
  assert.match(refused.stderr, /client\/alice \(serial [0-9a-f]+, issuer ca\)/);
  assert.match(refused.stderr, /client\/bob /);
  assert.match(refused.stderr, /cert renew --all --group client --issuer client/);
  assert.equal(await readFile(join(cluster.dataDir, "root.crt"), "utf8"), installedBefore, "ssl_ca_file unchanged");
  for (const user of USERS) assert.equal((await login(user)).code, 0, `${user} still logs in`);
});

test("after cert renew --all --group client --issuer client, pg tls --reload installs the client anchor and the renewed certificates log in", async () => {
  await ok(["cert", "renew", "--all", "--group", "client", "--issuer", "client"]);
  const out = await ok(tlsArgs());
  assert.match(out, /verified: yes/);
  const installed = await readFile(join(cluster.dataDir, "root.crt"), "utf8");
  assert.equal(installed, await readFile(join(pki, "ca", "client-ca.anchor.crt"), "utf8"), "the client anchor");
  assert.notEqual(installed, await readFile(join(pki, "ca", "ca.crt"), "utf8"), "no longer the root");
  for (const user of USERS) assert.equal((await login(user)).code, 0, `${user} logs in with the renewed certificate`);
});

test("sandbox up after ca init --intermediates: refuses while another root-signed client certificate would be locked out; re-issues its own superuser's from client", async () => {
  const sandboxPki = join(work.dir, "sandbox-pki");
  const run = (args: string[]) => pgwarden(["--pki", sandboxPki, ...args]);
  const sandbox = await startSandbox(sandboxPki);
  try {
    assert.equal(await sandbox.sql("select 1"), "1");
    assert.equal((await run(["cert", "issue", "--profile", "client", "--cn", "carol"])).code, 0);
    const { superuser } = JSON.parse(await readFile(join(sandbox.dir, "sandbox.json"), "utf8")) as {
      superuser: string;
    };
    const superuserCert = join(sandboxPki, "sandbox", `${superuser}.crt`);
    /** `openssl x509 -noout -<field>` in RFC 2253 form, without its `field=` prefix. */
    const nameOf = async (field: "issuer" | "subject", path: string) =>
      (await runClient("openssl", ["x509", "-noout", `-${field}`, "-nameopt", "RFC2253", "-in", path])).stdout
        .trim()
        .replace(new RegExp(`^${field}=`), "");
    const issuerOf = async (path: string) => `issuer=${await nameOf("issuer", path)}`;
    const rootSubject = await nameOf("subject", join(sandboxPki, "ca", "ca.crt"));
    assert.equal(await issuerOf(superuserCert), `issuer=${rootSubject}`, "the root signed the superuser's certificate");
    assert.equal((await run(["ca", "init", "--intermediates"])).code, 0);
    const up = () => pgwarden(["sandbox", "up", "--pki", sandboxPki, "--dir", sandbox.dir]);
    const refused = await up();
    assert.equal(refused.code, 7, refused.stderr);
    assert.match(refused.stderr, /lock out 1 client certificate\(s\)[^\n]*client\/carol/);
    assert.doesNotMatch(refused.stderr, /sandbox\//, "its own superuser's certificate is not listed: it is re-issued");
    assert.equal(await sandbox.sql("select 2"), "2", "nothing changed: the superuser still gets in");
    assert.equal((await run(["cert", "renew", "--all", "--group", "client", "--issuer", "client"])).code, 0);
    const again = await up();
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      await readFile(join(sandbox.pgdata, "root.crt"), "utf8"),
      await readFile(join(sandboxPki, "ca", "client-ca.anchor.crt"), "utf8"),
      "ssl_ca_file is the client anchor",
    );
    const clientSubject = await nameOf("subject", join(sandboxPki, "ca", "client-ca.crt"));
    assert.equal(await issuerOf(superuserCert), `issuer=${clientSubject}`, "re-issued from the client intermediate");
    assert.equal(await sandbox.sql("select 3"), "3", "the superuser logs in with its re-issued certificate");
  } finally {
    await sandbox.stop();
  }
});
