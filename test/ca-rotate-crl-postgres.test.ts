/*
 * A rotated root's CRL on a real PostgreSQL 15 (CRL_CHECK_ALL): with ssl_ca_file holding the old and the
 * new root and ssl_crl_file the combined file pgwarden crl writes (and readCaCrl accepts), certificates of
 * both roots log in; a certificate of the old root revoked after the rotation is refused. Before rotated
 * CAs had CRLs, the combined file held only the new root's, and every certificate of the old root was
 * refused ("unable to get certificate CRL").
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { trustedRootsPem } from "../src/pki/authority/trust-anchors.js";
import { pkiLayout } from "../src/pki/pki-layout.js";
import { readCaCrl } from "../src/pki/revocation/crl-file.js";
import { pgwarden, tempDir } from "./support/cli.js";
import { type Cluster, runClient, startCluster } from "./support/pg-cluster.js";

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };
let pki: string;

async function ok(args: string[]): Promise<string> {
  const result = await pgwarden(["--pki", pki, ...args]);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** Installs server.crt/key, the roots bundle and the CRL file readCaCrl hands out, then reloads. */
async function install(): Promise<void> {
  const layout = pkiLayout(pki);
  const crlPem = await readCaCrl(layout, { issuers: [], now: new Date() });
  assert.ok(crlPem, "a CRL to install");
  await cluster.writeTls({
    certPem: await readFile(join(pki, "server", "localhost.crt"), "utf8"),
    keyPem: await readFile(join(pki, "server", "localhost.key"), "utf8"),
    caPem: await trustedRootsPem(layout),
    crlPem,
  });
  await cluster.reload();
}

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

before(async () => {
  work = await tempDir("pgwarden-rotate-crl-pg-");
  pki = join(work.dir, "pki");
  await ok(["ca", "init", "--no-passphrase"]);
  for (const user of ["alice", "bob"]) await ok(["cert", "issue", "--profile", "client", "--cn", user]);
  await ok(["crl"]);
  await ok(["ca", "rotate"]);
  await ok(["cert", "issue", "--profile", "client", "--cn", "carol"]);
  await ok(["cert", "issue", "--profile", "server", "--cn", "localhost", "--san", "127.0.0.1"]);
  await ok(["crl"]);
  cluster = await startCluster({ hba: ["host all all 127.0.0.1/32 scram-sha-256"] });
  for (const user of ["alice", "bob", "carol"]) await cluster.sql(`CREATE ROLE ${user} LOGIN`);
  await install();
  await cluster.writeHba(["hostssl all all 127.0.0.1/32 cert"]);
  await cluster.reload();
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

test("after ca rotate + crl: certificates of the old and the new root log in under CRL_CHECK_ALL", async () => {
  assert.match(await cluster.sql("SHOW ssl_crl_file"), /root\.crl$/);
  for (const user of ["alice", "bob", "carol"]) {
    const result = await login(user);
    assert.equal(result.code, 0, `${user}: ${result.stderr}`);
  }
});

test("cert revoke of an old-root certificate: the rotated root's CRL lists it; PostgreSQL refuses it, the others get in", async () => {
  await ok(["cert", "revoke", "--cn", "bob", "--reason", "keyCompromise"]);
  await install();
  const refused = await login("bob");
  assert.notEqual(refused.code, 0, "bob is refused");
  assert.match(refused.stderr, /certificate revoked/);
  for (const user of ["alice", "carol"]) assert.equal((await login(user)).code, 0, user);
});
