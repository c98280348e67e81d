/*
 * End-to-end proof that pgwarden's PKI works with REAL peers:
 *
 * 1. the `openssl` CLI accepts pgwarden's server / client / peer certificates
 *    (for ec-p256, rsa-2048 and ed25519 CAs) for exactly the TLS purposes their
 *    profile promises, and no other;
 * 2. a real PostgreSQL 15 server using a pgwarden server certificate accepts
 *    `cert` authentication from psql (libpq) and node-postgres with a bundle
 *    made by `pgwarden cert export`, and rejects a certificate for another role,
 *    a client certificate from a foreign CA, and (on the client side) a server
 *    certificate whose SANs do not name the host.
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";

import pg from "pg";

import { connectClient } from "../src/pg/connect-client.js";
import { type CliResult, pgwarden, tempDir } from "./support/cli.js";
import { type ClientResult, type Cluster, runClient, startCluster, waitForLogLines } from "./support/pg-cluster.js";

const KEY_TYPES = ["ec-p256", "rsa-2048", "ed25519"] as const;
type KeyType = (typeof KEY_TYPES)[number];

/** What `openssl x509 -text` must show for each key type (proves --key-type is honoured). */
const KEY_TEXT: Record<KeyType, RegExp[]> = {
  "ec-p256": [/Public Key Algorithm: id-ecPublicKey/, /NIST CURVE: P-256|prime256v1/],
  "rsa-2048": [/Public Key Algorithm: rsaEncryption/, /Public-Key: \(2048 bit\)/],
  ed25519: [/Public Key Algorithm: ED25519/],
};

const PSQL = "/usr/bin/psql";
const PSQL_ENV = { PGCONNECT_TIMEOUT: "10" };
const WHOAMI_SQL = "select current_user, s.ssl, s.client_dn from pg_stat_ssl s where s.pid = pg_backend_pid()";

interface IssuedCert {
  certPath: string;
  keyPath: string;
  keyType: string;
  profile: string;
}

function show(r: CliResult | ClientResult): string {
  return `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

async function cli(args: string[]): Promise<CliResult> {
  const r = await pgwarden(args);
  assert.equal(r.code, 0, `pgwarden ${args.join(" ")} failed: ${show(r)}`);
  return r;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(obj: Record<string, unknown>, key: string, what: string): string {
  const v = obj[key];
  assert.equal(typeof v, "string", `${what}: JSON field ${key} is not a string: ${JSON.stringify(obj)}`);
  return v as string;
}

async function caInit(pki: string, keyType: KeyType): Promise<string> {
  await cli(["ca", "init", "--pki", pki, "--key-type", keyType]);
  const caFile = join(pki, "ca", "ca.crt");
  assert.match(await readFile(caFile, "utf8"), /^-----BEGIN CERTIFICATE-----/);
  return caFile;
}

/** `pgwarden --format json cert issue ...`; checks the files exist and the key is 0600. */
async function issue(
  pki: string,
  profile: "server" | "client" | "peer",
  cn: string,
  opts: { keyType?: KeyType; sans?: string[] } = {},
): Promise<IssuedCert> {
  const args = ["--format", "json", "cert", "issue", "--pki", pki, "--profile", profile, "--cn", cn];
  for (const san of opts.sans ?? []) args.push("--san", san);
  if (opts.keyType) args.push("--key-type", opts.keyType);
  const r = await cli(args);
  const document: unknown = JSON.parse(r.stdout);
  const parsed: unknown = isRecord(document) && Array.isArray(document.issued) ? document.issued[0] : undefined;
  assert.ok(isRecord(parsed), `cert issue JSON has no issued certificate: ${r.stdout}`);
  const out: IssuedCert = {
    certPath: str(parsed, "certPath", "cert issue"),
    keyPath: str(parsed, "keyPath", "cert issue"),
    keyType: str(parsed, "keyType", "cert issue"),
    profile: str(parsed, "profile", "cert issue"),
  };
  assert.equal(out.certPath, join(pki, profile, `${cn}.crt`));
  assert.equal(out.keyPath, join(pki, profile, `${cn}.key`));
  assert.equal(out.profile, profile);
  if (opts.keyType) assert.equal(out.keyType, opts.keyType);
  assert.equal((await stat(out.keyPath)).mode & 0o777, 0o600, `${out.keyPath} must be 0600`);
  return out;
}

async function opensslVerify(
  caFile: string,
  certFile: string,
  purpose: "sslserver" | "sslclient",
): Promise<ClientResult> {
  return runClient("openssl", ["verify", "-x509_strict", "-purpose", purpose, "-CAfile", caFile, certFile]);
}

async function assertVerifies(caFile: string, certFile: string, purpose: "sslserver" | "sslclient"): Promise<void> {
  const r = await opensslVerify(caFile, certFile, purpose);
  assert.equal(r.code, 0, `openssl verify -purpose ${purpose} ${certFile} should pass: ${show(r)}`);
  assert.equal(r.stdout.trim(), `${certFile}: OK`);
}

async function assertRejected(
  caFile: string,
  certFile: string,
  purpose: "sslserver" | "sslclient",
  reason: RegExp,
): Promise<void> {
  const r = await opensslVerify(caFile, certFile, purpose);
  assert.notEqual(r.code, 0, `openssl verify -purpose ${purpose} ${certFile} should fail: ${show(r)}`);
  assert.doesNotMatch(r.stdout, /: OK\s*$/);
  assert.match(r.stdout + r.stderr, reason);
}

async function x509Text(certFile: string): Promise<string> {
  const r = await runClient("openssl", ["x509", "-in", certFile, "-noout", "-text"]);
  assert.equal(r.code, 0, show(r));
  return r.stdout;
}

/** A libpq keyword/value connection string, values single-quoted with \ and ' escaped. */
function conninfo(params: Record<string, string | number>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}='${String(v).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`)
    .join(" ");
}

function psql(conn: string, sql = WHOAMI_SQL): Promise<ClientResult> {
  return runClient(PSQL, [conn, "-XAtc", sql], { env: PSQL_ENV, timeoutMs: 20_000 });
}

interface TlsMaterial {
  ca: string;
  cert: string;
  key: string;
}

async function loadTls(caFile: string, certFile: string, keyFile: string): Promise<TlsMaterial> {
  const [ca, cert, key] = await Promise.all([
    readFile(caFile, "utf8"),
    readFile(certFile, "utf8"),
    readFile(keyFile, "utf8"),
  ]);
  return { ca, cert, key };
}

function pgClient(cluster: Cluster, user: string, tls: TlsMaterial, servername?: string): pg.Client {
  const ssl: { ca: string; cert: string; key: string; rejectUnauthorized: true; servername?: string } = {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: true,
  };
  if (servername !== undefined) ssl.servername = servername;
  return new pg.Client({
    host: cluster.host,
    port: cluster.port,
    user,
    database: "postgres",
    ssl,
    connectionTimeoutMillis: 10_000,
  });
}

interface WhoAmI {
  current_user: string;
  ssl: boolean;
  client_dn: string | null;
}

/** Connect with node-postgres, run WHOAMI_SQL, disconnect. */
async function pgWhoAmI(cluster: Cluster, user: string, tls: TlsMaterial, servername?: string): Promise<WhoAmI> {
  const client = pgClient(cluster, user, tls, servername);
  try {
    await client.connect();
    const res = await client.query<WhoAmI>(WHOAMI_SQL);
    assert.equal(res.rows.length, 1, `pg_stat_ssl has no row for this backend: ${JSON.stringify(res.rows)}`);
    const row = res.rows[0];
    assert.ok(row);
    return row;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connect with node-postgres, which must fail; returns the error. */
async function pgConnectError(cluster: Cluster, user: string, tls: TlsMaterial, servername?: string): Promise<Error> {
  const client = pgClient(cluster, user, tls, servername);
  // A failing TLS socket can also emit 'error' on the client after connect() rejected.
  client.on("error", () => undefined);
  try {
    // pgwarden's own connect, which settles even when node-postgres alone would not
    // (a refused TLS 1.3 client certificate can leave its connect() pending for ever).
    await connectClient(client);
  } catch (e) {
    assert.ok(e instanceof Error, `connect() rejected with a non-Error: ${String(e)}`);
    return e;
  }
  await client.end().catch(() => undefined);
  assert.fail(`node-postgres connected as ${user} but must have been refused`);
}

function tempDirFor(t: TestContext, prefix: string): Promise<string> {
  return tempDir(prefix).then(({ dir, cleanup }) => {
    t.after(cleanup);
    return dir;
  });
}

test("openssl accepts pgwarden certificates exactly for their profile's purposes", { concurrency: true }, async (t) => {
  await Promise.all(
    KEY_TYPES.map((keyType) =>
      t.test(keyType, async (st) => {
        const pki = await tempDirFor(st, `pgwarden-pki-${keyType}-`);
        const caFile = await caInit(pki, keyType);
        for (const re of KEY_TEXT[keyType]) assert.match(await x509Text(caFile), re, `CA key is not ${keyType}`);

        const server = await issue(pki, "server", "localhost", { keyType, sans: ["localhost", "127.0.0.1", "::1"] });
        const client = await issue(pki, "client", "dbuser_dba", { keyType });
        const peer = await issue(pki, "peer", "patroni-1", { keyType, sans: ["patroni-1.example.com", "127.0.0.1"] });

        for (const c of [server, client, peer]) {
          const text = await x509Text(c.certPath);
          for (const re of KEY_TEXT[keyType]) assert.match(text, re, `${c.certPath} key is not ${keyType}`);
        }
        const serverText = await x509Text(server.certPath);
        assert.match(serverText, /Subject: CN ?= ?localhost/);
        assert.match(serverText, /DNS:localhost/);
        assert.match(serverText, /IP Address:127\.0\.0\.1/);
        assert.match(serverText, /IP Address:0:0:0:0:0:0:0:1/);
        assert.match(await x509Text(client.certPath), /Subject: CN ?= ?dbuser_dba/);

        await assertVerifies(caFile, server.certPath, "sslserver");
        await assertVerifies(caFile, client.certPath, "sslclient");
        await assertVerifies(caFile, peer.certPath, "sslserver");
        await assertVerifies(caFile, peer.certPath, "sslclient");

        // The EKU comes from the profile: a client certificate is no server certificate, and vice versa.
        await assertRejected(caFile, client.certPath, "sslserver", /unsuitable certificate purpose/);
        await assertRejected(caFile, server.certPath, "sslclient", /unsuitable certificate purpose/);
      }),
    ),
  );
});

test("PostgreSQL cert authentication with pgwarden certificates (psql and node-postgres)", async (t) => {
  const pki = await tempDirFor(t, "pgwarden-pki-pg-");
  const caFile = await caInit(pki, "ec-p256");
  const caPem = await readFile(caFile, "utf8");
  const server = await issue(pki, "server", "localhost", { sans: ["localhost", "127.0.0.1", "::1"] });
  await issue(pki, "client", "dbuser_dba");
  await issue(pki, "client", "app_ro");
  const wrongHost = await issue(pki, "server", "db.example.com", { sans: ["db.example.com"] });

  const cluster = await startCluster({
    hba: ["hostssl all all 127.0.0.1/32 cert"],
    tls: { certPem: await readFile(server.certPath, "utf8"), keyPem: await readFile(server.keyPath, "utf8"), caPem },
  });
  t.after(() => cluster.stop());
  await cluster.sql("CREATE ROLE dbuser_dba LOGIN; CREATE ROLE app_ro LOGIN;");
  assert.equal(await cluster.sql("SHOW ssl"), "on");

  // The libpq bundle, exactly as a user would get it, with the connection string pgwarden prints.
  const bundle = await tempDirFor(t, "pgwarden-bundle-");
  const exported = await cli([
    "--format",
    "json",
    "cert",
    "export",
    "--pki",
    pki,
    "--cn",
    "dbuser_dba",
    "--out",
    bundle,
    "--host",
    cluster.host,
    "--port",
    String(cluster.port),
  ]);
  const exportJson: unknown = JSON.parse(exported.stdout);
  assert.ok(isRecord(exportJson), exported.stdout);
  const exportedConn = str(exportJson, "libpq", "cert export");
  assert.match(exportedConn, /\bsslmode=verify-full\b/);
  assert.equal((await stat(join(bundle, "postgresql.key"))).mode & 0o777, 0o600);
  assert.equal(await readFile(join(bundle, "root.crt"), "utf8"), caPem);
  const dbaTls = await loadTls(
    join(bundle, "root.crt"),
    join(bundle, "postgresql.crt"),
    join(bundle, "postgresql.key"),
  );

  const bundleConn = (user: string, extra: Record<string, string> = {}): string =>
    conninfo({
      host: cluster.host,
      port: cluster.port,
      dbname: "postgres",
      user,
      sslmode: "verify-full",
      sslrootcert: join(bundle, "root.crt"),
      sslcert: join(bundle, "postgresql.crt"),
      sslkey: join(bundle, "postgresql.key"),
      ...extra,
    });

  await t.test("a. psql verify-full with the exported bundle logs in as dbuser_dba over TLS", async () => {
    for (const conn of [exportedConn, bundleConn("dbuser_dba")]) {
      const r = await psql(conn);
      assert.equal(r.code, 0, `psql "${conn}": ${show(r)}`);
      assert.equal(r.stdout.trim(), "dbuser_dba|t|/CN=dbuser_dba");
    }
  });

  await t.test("b. node-postgres (rejectUnauthorized) logs in as dbuser_dba over TLS", async () => {
    const row = await pgWhoAmI(cluster, "dbuser_dba", dbaTls);
    assert.deepEqual(row, { current_user: "dbuser_dba", ssl: true, client_dn: "/CN=dbuser_dba" });
  });

  await t.test("c. dbuser_dba's certificate cannot log in as app_ro (CN must match the role)", async () => {
    const r = await psql(bundleConn("app_ro"));
    assert.notEqual(r.code, 0, `psql as app_ro with dbuser_dba's cert must fail: ${show(r)}`);
    assert.match(r.stderr, /certificate authentication failed for user "app_ro"/);
    assert.equal(r.stdout, "");

    const err = await pgConnectError(cluster, "app_ro", dbaTls);
    assert.match(err.message, /certificate authentication failed for user "app_ro"/);

    // Control: app_ro can log in with its own certificate, so the refusals above are the CN check.
    const appTls = await loadTls(caFile, join(pki, "client", "app_ro.crt"), join(pki, "client", "app_ro.key"));
    const row = await pgWhoAmI(cluster, "app_ro", appTls);
    assert.deepEqual(row, { current_user: "app_ro", ssl: true, client_dn: "/CN=app_ro" });
  });

  await t.test("d. a client certificate from another CA is refused", async () => {
    const otherPki = await tempDirFor(t, "pgwarden-pki-other-");
    const otherCa = await caInit(otherPki, "ec-p256");
    const foreign = await issue(otherPki, "client", "dbuser_dba");
    // Control: the certificate itself is a valid client certificate of its own CA, but not of ours.
    await assertVerifies(otherCa, foreign.certPath, "sslclient");
    await assertRejected(caFile, foreign.certPath, "sslclient", /unable to get local issuer certificate/);

    // Trust our server CA (so the server is verified), but present the foreign client certificate.
    const logOffset = (await cluster.log()).length;
    const r = await psql(bundleConn("dbuser_dba", { sslcert: foreign.certPath, sslkey: foreign.keyPath }));
    assert.notEqual(r.code, 0, `psql with a foreign CA's client cert must fail: ${show(r)}`);
    assert.match(r.stderr, /certificate|unknown ca|alert/i);
    // Refused in the TLS handshake, not later by the CN check (which would mean the foreign chain was accepted).
    assert.doesNotMatch(r.stderr, /certificate authentication failed/);
    assert.doesNotMatch(r.stdout, /dbuser_dba/);

    const foreignTls = await loadTls(caFile, foreign.certPath, foreign.keyPath);
    const err = await pgConnectError(cluster, "dbuser_dba", foreignTls);
    assert.match(err.message, /certificate|unknown ca|alert/i);
    assert.doesNotMatch(err.message, /certificate authentication failed/);

    // The server itself refused both certificates in the handshake: connections that merely broke would not log this.
    const refusals = await waitForLogLines(
      cluster,
      logOffset,
      /could not accept SSL connection: certificate verify failed/,
      2,
    );
    assert.equal(refusals, 2, `server log:\n${(await cluster.log()).slice(logOffset)}`);
  });

  await t.test("e. a server certificate whose SANs lack the host is refused by verify-full clients", async () => {
    await cluster.writeTls({
      certPem: await readFile(wrongHost.certPath, "utf8"),
      keyPem: await readFile(wrongHost.keyPath, "utf8"),
      caPem,
    });
    await cluster.reload();

    // Control: the chain is still trusted (verify-ca works), so the failures below are the host name check.
    const ok = await psql(bundleConn("dbuser_dba", { sslmode: "verify-ca" }));
    assert.equal(ok.code, 0, `psql verify-ca should work with the db.example.com certificate: ${show(ok)}`);
    assert.equal(ok.stdout.trim(), "dbuser_dba|t|/CN=dbuser_dba");

    const r = await psql(bundleConn("dbuser_dba"));
    assert.notEqual(r.code, 0, `psql verify-full to 127.0.0.1 must reject a db.example.com certificate: ${show(r)}`);
    assert.match(r.stderr, /does not match host name/);
    assert.match(r.stderr, /db\.example\.com/);

    const err = await pgConnectError(cluster, "dbuser_dba", dbaTls);
    assert.match(err.message, /IP|altnames|does not match/i);
    assert.equal("code" in err ? err.code : undefined, "ERR_TLS_CERT_ALTNAME_INVALID", err.message);
    assert.doesNotMatch(err.message, /certificate authentication failed/);

    // Control for node-postgres: naming the host the certificate is for makes the same connection work.
    const row = await pgWhoAmI(cluster, "dbuser_dba", dbaTls, "db.example.com");
    assert.deepEqual(row, { current_user: "dbuser_dba", ssl: true, client_dn: "/CN=dbuser_dba" });
  });
});
