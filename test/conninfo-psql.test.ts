/*
 * The same connection settings through psql (libpq 15) and `pgwarden pg conninfo`, expecting
 * the same outcome: connected or not, and with TLS or not. One real PostgreSQL 15 with a
 * certificate from a pgwarden CA, pg_hba with hostssl, hostnossl, cert and scram-sha-256
 * lines, and a temp HOME per row (~/.postgresql/root.crt present, absent or from another CA,
 * a client certificate, ~/.pgpass with a right or a loose mode, ~/.pg_service.conf).
 */
import assert from "node:assert/strict";
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import { after, before, describe, test, type TestContext } from "node:test";

import { pgwarden, tempDir, withTextErrors } from "./support/cli.js";
import { type Cluster, runClient, startCluster } from "./support/pg-cluster.js";

const PASSWORD = "pw-secret";
/** The OS user running the tests: the harness's `local all all peer` line lets a role of that name in over the socket. */
const OS_USER = userInfo().username;

/** A temp HOME's contents. */
interface HomeSpec {
  /** ~/.postgresql/root.crt: this PKI's CA, another CA's, or none. */
  readonly root?: "pki" | "other";
  /** ~/.postgresql/postgresql.crt and .key (cert_user's), with the key's mode (and owner: the test runner, root, unless given). */
  readonly clientKeyMode?: number;
  readonly clientKeyOwner?: number;
  /** ~/.postgresql/root.crl: a copy of this file. */
  readonly crl?: string;
  /** ~/.pgpass lines and mode. */
  readonly pgpass?: { readonly lines: readonly string[]; readonly mode: number };
  /** ~/.pg_service.conf. */
  readonly service?: string;
}

interface Row {
  readonly name: string;
  /** The connection string (psql's argument, pgwarden's --conn); none: PG* and defaults only. */
  readonly conn?: string;
  readonly env?: Record<string, string>;
  readonly home?: HomeSpec;
  /** What both must do: connect with or without TLS, fail to connect, or refuse the input. */
  readonly expect: "tls" | "plain" | "fails" | "refused";
  /** Also expected in pgwarden's stderr. */
  readonly says?: RegExp;
  /** psql's stderr says it too (libpq's own words). */
  readonly psqlSaysToo?: true;
}

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };
let pkiCa: string;
let otherCa: string;
let clientCert: string;
let clientKey: string;
let homes = 0;
/** CRLs of the PKI's CA made by OpenSSL's `ca -gencrl`: one revoking the server's certificate, one revoking nothing; and a file that is no CRL. */
let revokedCrl: string;
let cleanCrl: string;
let garbageCrl: string;

/** A CRL signed by the CA of `pki` revoking `revoke` (certificate files), made by `openssl ca` in its own directory. */
async function opensslCrl(pki: string, name: string, revoke: readonly string[]): Promise<string> {
  const dir = join(work.dir, `crl-${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "index.txt"), "");
  await writeFile(
    join(dir, "openssl.cnf"),
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${dir}/index.txt\ndefault_md = sha256\ndefault_crl_days = 30\n`,
  );
  const openssl = (args: string[]) =>
    runClient("openssl", [
      "ca",
      "-config",
      join(dir, "openssl.cnf"),
      "-keyfile",
      join(pki, "ca", "ca.key"),
      "-cert",
      join(pki, "ca", "ca.crt"),
      ...args,
    ]);
  for (const file of revoke) {
    const revoked = await openssl(["-revoke", file]);
    assert.equal(revoked.code, 0, revoked.stderr);
  }
  const out = join(dir, `${name}.crl`);
  const made = await openssl(["-gencrl", "-out", out]);
  assert.equal(made.code, 0, made.stderr);
  return out;
}

async function ok(args: string[]): Promise<void> {
  const result = await pgwarden(args);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
}

before(async () => {
  work = await tempDir("pgwarden-conninfo-");
  const pki = join(work.dir, "pki");
  const other = join(work.dir, "other-pki");
  await ok(["ca", "init", "--pki", pki]);
  await ok(["ca", "init", "--pki", other]);
  // A server certificate for localhost only: 127.0.0.1 is not among its names.
  await ok(["cert", "issue", "--pki", pki, "--profile", "server", "--cn", "localhost", "--san", "localhost"]);
  await ok(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "cert_user"]);
  pkiCa = join(pki, "ca", "ca.crt");
  otherCa = join(other, "ca", "ca.crt");
  clientCert = join(pki, "client", "cert_user.crt");
  clientKey = join(pki, "client", "cert_user.key");
  revokedCrl = await opensslCrl(pki, "revoked", [join(pki, "server", "localhost.crt")]);
  cleanCrl = await opensslCrl(pki, "clean", []);
  garbageCrl = join(work.dir, "garbage.crl");
  await writeFile(garbageCrl, "this is no CRL\n");
  cluster = await startCluster({
    hba: [
      "hostnossl all nossl_user 127.0.0.1/32 trust",
      "hostssl all ssl_user 127.0.0.1/32 trust",
      "hostssl all cert_user 127.0.0.1/32 cert",
      "host all pw_user 127.0.0.1/32 scram-sha-256",
      "hostssl all split_user 127.0.0.1/32 scram-sha-256",
      "hostnossl all split_user 127.0.0.1/32 trust",
      "hostssl all md5_user 127.0.0.1/32 md5",
    ],
    tls: {
      certPem: await readFile(join(pki, "server", "localhost.crt"), "utf8"),
      keyPem: await readFile(join(pki, "server", "localhost.key"), "utf8"),
      caPem: await readFile(pkiCa, "utf8"),
    },
  });
  await cluster.sql(
    `CREATE ROLE nossl_user LOGIN; CREATE ROLE ssl_user LOGIN; CREATE ROLE cert_user LOGIN; SET password_encryption = 'scram-sha-256'; CREATE ROLE pw_user LOGIN PASSWORD '${PASSWORD}'; CREATE ROLE split_user LOGIN PASSWORD '${PASSWORD}';` +
      `SET password_encryption = 'md5'; CREATE ROLE md5_user LOGIN PASSWORD '${PASSWORD}';` +
      (OS_USER === cluster.superuser ? "" : `CREATE ROLE "${OS_USER}" LOGIN;`),
  );
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

/** A fresh HOME as `spec` says. */
async function makeHome(spec: HomeSpec = {}): Promise<string> {
  const home = await mkdtemp(join(work.dir, `home-${homes++}-`));
  const dotdir = join(home, ".postgresql");
  await mkdir(dotdir);
  if (spec.root) await copyFile(spec.root === "pki" ? pkiCa : otherCa, join(dotdir, "root.crt"));
  if (spec.clientKeyMode !== undefined) {
    await copyFile(clientCert, join(dotdir, "postgresql.crt"));
    await copyFile(clientKey, join(dotdir, "postgresql.key"));
    await chmod(join(dotdir, "postgresql.key"), spec.clientKeyMode);
    if (spec.clientKeyOwner !== undefined)
      await chown(join(dotdir, "postgresql.key"), spec.clientKeyOwner, spec.clientKeyOwner);
  }
  if (spec.crl !== undefined) await copyFile(spec.crl, join(dotdir, "root.crl"));
  if (spec.pgpass) {
    await writeFile(join(home, ".pgpass"), `${spec.pgpass.lines.join("\n")}\n`);
    await chmod(join(home, ".pgpass"), spec.pgpass.mode);
  }
  if (spec.service !== undefined) await writeFile(join(home, ".pg_service.conf"), spec.service);
  return home;
}

/** A TCP port nothing listens on (on 127.0.0.1 and ::1): one the OS gave and took back. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "::1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Outcome = "tls" | "plain" | "fails" | "refused";

/** Every PG* variable of the test runner, unset: only the row's own reach the programs. */
function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.keys(process.env)
      .filter((name) => name.startsWith("PG"))
      .map((name) => [name, undefined]),
  );
}

async function viaPsql(row: Row, home: string): Promise<{ outcome: Outcome; stderr: string }> {
  const args = [
    "-X",
    "-At",
    "-c",
    "select ssl from pg_stat_ssl where pid = pg_backend_pid()",
    ...(row.conn === undefined ? [] : [row.conn]),
  ];
  const result = await runClient("psql", args, {
    env: { HOME: home, PGCONNECT_TIMEOUT: "5", PGSYSCONFDIR: home, ...row.env },
  });
  if (result.code === 0) return { outcome: result.stdout.trim() === "t" ? "tls" : "plain", stderr: result.stderr };
  // libpq refuses input before connecting: no "connection to server" in its words.
  const refused =
    /invalid connection option|invalid \S+ value|invalid port number|invalid integer value|invalid URI query parameter|definition of service/.test(
      result.stderr,
    );
  return { outcome: refused ? "refused" : "fails", stderr: result.stderr };
}

async function viaPgwarden(row: Row, home: string): Promise<{ outcome: Outcome; stderr: string; stdout: string }> {
  const args = ["pg", "conninfo", "--format", "json", ...(row.conn === undefined ? [] : ["--conn", row.conn])];
  // --format json: an error is one JSON object on stderr, read back here as the text line it stands for.
  const result = withTextErrors(
    await pgwarden(args, {
      env: { ...cleanEnv(), HOME: home, PGSYSCONFDIR: home, PGWARDEN_PKI: join(work.dir, "pki"), ...row.env },
    }),
  );
  assert.doesNotMatch(result.stderr, /SECURITY WARNING/, "no warning from a dependency");
  if (result.code === 0) {
    const info = JSON.parse(result.stdout) as { ssl: boolean };
    return { outcome: info.ssl ? "tls" : "plain", stderr: result.stderr, stdout: result.stdout };
  }
  assert.ok(
    result.code === 2 || result.code === 5,
    `pgwarden exit ${result.code} (2 for refused input, 5 for a failed connection): ${result.stderr}`,
  );
  const lines = result.stderr.trim().split("\n");
  assert.equal(
    lines.filter((line) => !line.startsWith("pgwarden: warning: ")).length,
    1,
    `one error line on stderr (and libpq's warnings): ${result.stderr}`,
  );
  assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, "no stack trace");
  return { outcome: result.code === 2 ? "refused" : "fails", stderr: result.stderr, stdout: result.stdout };
}

async function runRows(t: TestContext, rows: readonly Row[]): Promise<void> {
  for (const row of rows) {
    await t.test(row.name, async () => {
      const home = await makeHome(row.home);
      const psql = await viaPsql(row, home);
      const warden = await viaPgwarden(row, home);
      assert.equal(psql.outcome, row.expect, `psql: ${psql.stderr}`);
      assert.equal(warden.outcome, psql.outcome, `pgwarden as psql: ${warden.stderr}`);
      if (row.says) assert.match(warden.stderr + warden.stdout, row.says);
      if (row.says && row.psqlSaysToo) assert.match(psql.stderr, row.says, "libpq's words");
      assert.doesNotMatch(warden.stderr + warden.stdout, new RegExp(PASSWORD), "never the password");
    });
  }
}

const kv = (pairs: Record<string, string | number>) =>
  Object.entries(pairs)
    .map(([key, value]) => `${key}='${String(value).replace(/[\\']/g, (c) => `\\${c}`)}'`)
    .join(" ");
const at = (user: string, more: Record<string, string | number> = {}) =>
  kv({ host: "127.0.0.1", port: cluster.port, dbname: "postgres", user, ...more });

describe("the same settings through psql and pgwarden: server with TLS on", { concurrency: false }, () => {
  test("rows", async (t) => {
    const port = () => cluster.port;
    const unusedPort = await freePort();
    const rows: Row[] = [
      // Every sslmode against hostnossl and hostssl lines, no root certificate in HOME.
      { name: "disable, hostnossl: plain", conn: at("nossl_user", { sslmode: "disable" }), expect: "plain" },
      {
        name: "disable, hostssl only: refused by pg_hba",
        conn: at("ssl_user", { sslmode: "disable" }),
        expect: "fails",
      },
      { name: "allow, hostnossl: plain first", conn: at("nossl_user", { sslmode: "allow" }), expect: "plain" },
      {
        name: "allow, hostssl only: plain refused, then TLS",
        conn: at("ssl_user", { sslmode: "allow" }),
        expect: "tls",
      },
      {
        name: "prefer, hostnossl only: TLS refused by pg_hba, then plain",
        conn: at("nossl_user", { sslmode: "prefer" }),
        expect: "plain",
      },
      { name: "prefer, hostssl: TLS", conn: at("ssl_user", { sslmode: "prefer" }), expect: "tls" },
      { name: "no sslmode is prefer", conn: at("ssl_user"), expect: "tls" },
      { name: "require, hostnossl only: refused", conn: at("nossl_user", { sslmode: "require" }), expect: "fails" },
      {
        name: "require, hostssl, no root.crt: TLS without verification",
        conn: at("ssl_user", { sslmode: "require" }),
        expect: "tls",
      },
      {
        name: "verify-ca against the PKI's CA",
        conn: at("ssl_user", { sslmode: "verify-ca", sslrootcert: pkiCa }),
        expect: "tls",
      },
      {
        name: "verify-ca, hostnossl only: refused",
        conn: at("nossl_user", { sslmode: "verify-ca", sslrootcert: pkiCa }),
        expect: "fails",
      },
      {
        name: "verify-ca with no root certificate anywhere: refused",
        conn: at("ssl_user", { sslmode: "verify-ca" }),
        expect: "fails",
        says: /root certificate file .*root\.crt" does not exist/,
      },
      {
        name: "verify-ca against another CA: refused, and pgwarden names the sslrootcert that would work",
        conn: at("ssl_user", { sslmode: "verify-ca", sslrootcert: otherCa }),
        expect: "fails",
        says: new RegExp(
          `does not verify against sslrootcert=.*other-pki/ca/ca\\.crt.*sslrootcert=${join(work.dir, "pki", "ca", "ca.crt").replace(/[.]/g, "\\.")} would work`,
        ),
      },
      {
        name: "verify-full, host named by the certificate",
        conn: kv({
          host: "localhost",
          port: port(),
          dbname: "postgres",
          user: "ssl_user",
          sslmode: "verify-full",
          sslrootcert: pkiCa,
        }),
        expect: "tls",
      },
      {
        name: "verify-full to 127.0.0.1 with a certificate only for localhost: refused",
        conn: at("ssl_user", { sslmode: "verify-full", sslrootcert: pkiCa }),
        expect: "fails",
        says: /server certificate for "localhost" (\(and 1 other name\) )?does not match host name "127\.0\.0\.1"/,
      },
      // ~/.postgresql/root.crt: require verifies the chain when it exists (libpq's documented rule); prefer falls back to plain.
      {
        name: "require with ~/.postgresql/root.crt from the PKI: verified",
        conn: at("ssl_user", { sslmode: "require" }),
        home: { root: "pki" },
        expect: "tls",
      },
      {
        name: "require with ~/.postgresql/root.crt from another CA: refused",
        conn: at("ssl_user", { sslmode: "require" }),
        home: { root: "other" },
        expect: "fails",
      },
      {
        name: "prefer with root.crt from another CA, hostnossl: TLS fails, plain connects",
        conn: at("nossl_user"),
        home: { root: "other" },
        expect: "plain",
      },
      {
        name: "prefer with root.crt from another CA, hostssl only: both fail",
        conn: at("ssl_user"),
        home: { root: "other" },
        expect: "fails",
      },
      {
        name: "verify-ca with ~/.postgresql/root.crt from the PKI",
        conn: at("ssl_user", { sslmode: "verify-ca" }),
        home: { root: "pki" },
        expect: "tls",
      },
      // Client certificates from ~/.postgresql, with libpq's key mode rule.
      {
        name: "cert: ~/.postgresql/postgresql.crt and a 0600 key",
        conn: at("cert_user", { sslmode: "verify-full", host: "localhost" }),
        home: { root: "pki", clientKeyMode: 0o600 },
        expect: "tls",
      },
      {
        name: "cert: a key others may read is refused",
        conn: at("cert_user", { sslmode: "verify-full", host: "localhost" }),
        home: { root: "pki", clientKeyMode: 0o644 },
        expect: "fails",
      },
      { name: "cert: no client certificate", conn: at("cert_user", { sslmode: "require" }), expect: "fails" },
      // libpq 15: a root-owned key may be 0640 (whoever connects, root included), any other owner's 0600 or less; the owner is not compared.
      {
        name: "cert: a root-owned 0640 key is taken",
        conn: at("cert_user", { sslmode: "verify-full", host: "localhost" }),
        home: { root: "pki", clientKeyMode: 0o640 },
        expect: "tls",
      },
      {
        name: "cert: a root-owned 0660 key is refused",
        conn: at("cert_user", { sslmode: "verify-full", host: "localhost" }),
        home: { root: "pki", clientKeyMode: 0o660 },
        expect: "fails",
        says: /has group or world access/,
        psqlSaysToo: true,
      },
      {
        name: "cert: a 0600 key another user owns is taken (root reads it)",
        conn: at("cert_user", { sslmode: "verify-full", host: "localhost" }),
        home: { root: "pki", clientKeyMode: 0o600, clientKeyOwner: 65534 },
        expect: "tls",
      },
      {
        name: "cert: a 0640 key another user owns is refused",
        conn: at("cert_user", { sslmode: "verify-full", host: "localhost" }),
        home: { root: "pki", clientKeyMode: 0o640, clientKeyOwner: 65534 },
        expect: "fails",
        says: /has group or world access/,
      },
      // Files named but missing: libpq goes on without them, except a root file under verify-ca/verify-full.
      {
        name: "require, sslrootcert=/nonexistent: TLS without verification",
        conn: at("ssl_user", { sslmode: "require", sslrootcert: "/nonexistent/root.crt" }),
        expect: "tls",
      },
      {
        name: "prefer, PGSSLROOTCERT=/nonexistent: TLS without verification",
        conn: at("ssl_user"),
        env: { PGSSLROOTCERT: "/nonexistent/root.crt" },
        expect: "tls",
      },
      {
        name: "verify-ca, sslrootcert=/nonexistent: refused",
        conn: at("ssl_user", { sslmode: "verify-ca", sslrootcert: "/nonexistent/root.crt" }),
        expect: "fails",
        says: /root certificate file "\/nonexistent\/root\.crt" does not exist/,
        psqlSaysToo: true,
      },
      {
        name: "verify-full, PGSSLROOTCERT=/nonexistent: refused",
        conn: at("ssl_user", { sslmode: "verify-full", host: "localhost" }),
        env: { PGSSLROOTCERT: "/nonexistent/root.crt" },
        expect: "fails",
      },
      {
        name: "sslcert=/nonexistent: no client certificate sent, trust login connects",
        conn: at("ssl_user", { sslmode: "require", sslcert: "/nonexistent/client.crt" }),
        expect: "tls",
      },
      {
        name: "sslcert=/nonexistent: no client certificate sent, cert login fails",
        conn: at("cert_user", { sslmode: "require", sslcert: "/nonexistent/client.crt" }),
        expect: "fails",
      },
      // CRLs: used when they load; a missing or unparsable file means no revocation check.
      {
        name: "sslcrl revoking nothing",
        conn: at("ssl_user", { sslmode: "verify-ca", sslrootcert: pkiCa, sslcrl: cleanCrl }),
        expect: "tls",
      },
      {
        name: "sslcrl that is no CRL: no revocation check",
        conn: at("ssl_user", { sslmode: "verify-ca", sslrootcert: pkiCa, sslcrl: garbageCrl }),
        expect: "tls",
      },
      {
        name: "sslcrl=/nonexistent: no revocation check",
        conn: at("ssl_user", { sslmode: "verify-ca", sslrootcert: pkiCa, sslcrl: "/nonexistent/root.crl" }),
        expect: "tls",
      },
      {
        name: "sslcrl revoking the server's certificate: refused, naming the CRL",
        conn: at("ssl_user", { sslmode: "verify-ca", sslrootcert: pkiCa, sslcrl: revokedCrl }),
        expect: "fails",
        says: /the server certificate is revoked by the CRL \S*revoked\.crl/,
      },
      {
        name: "~/.postgresql/root.crl revoking the server's certificate: refused, naming it",
        conn: at("ssl_user", { sslmode: "require" }),
        home: { root: "pki", crl: revokedCrl },
        expect: "fails",
        says: /revoked by the CRL \S*\.postgresql\/root\.crl/,
      },
      // channel_binding: require takes only a SCRAM-SHA-256-PLUS login over TLS, and refuses before sending a password otherwise.
      {
        name: "channel_binding=require, SCRAM over TLS: bound",
        conn: at("pw_user", { sslmode: "require", channel_binding: "require" }),
        env: { PGPASSWORD: PASSWORD },
        expect: "tls",
      },
      {
        name: "PGCHANNELBINDING=require, SCRAM over TLS: bound",
        conn: at("pw_user", { sslmode: "verify-full", host: "localhost", sslrootcert: pkiCa }),
        env: { PGPASSWORD: PASSWORD, PGCHANNELBINDING: "require" },
        expect: "tls",
      },
      {
        name: "channel_binding=require, trust over TLS: refused",
        conn: at("ssl_user", { sslmode: "require", channel_binding: "require" }),
        expect: "fails",
        says: /channel binding required, but server authenticated client without channel binding/,
        psqlSaysToo: true,
      },
      {
        name: "channel_binding=require, cert login: refused",
        conn: at("cert_user", { sslmode: "require", channel_binding: "require" }),
        env: { PGSSLCERT: clientCert, PGSSLKEY: clientKey },
        expect: "fails",
        says: /channel binding required, but server authenticated client without channel binding/,
        psqlSaysToo: true,
      },
      {
        name: "channel_binding=require, md5: refused before a password is sent",
        conn: at("md5_user", { sslmode: "require", channel_binding: "require" }),
        env: { PGPASSWORD: PASSWORD },
        expect: "fails",
        says: /channel binding required but not supported by server's authentication request/,
        psqlSaysToo: true,
      },
      {
        name: "channel_binding=require, md5 without it: the md5 login works",
        conn: at("md5_user", { sslmode: "require" }),
        env: { PGPASSWORD: PASSWORD },
        expect: "tls",
      },
      {
        name: "channel_binding=require, SCRAM without TLS: refused",
        conn: at("pw_user", { sslmode: "disable", channel_binding: "require" }),
        env: { PGPASSWORD: PASSWORD },
        expect: "fails",
        says: /channel binding required, but SSL not in use/,
        psqlSaysToo: true,
      },
      {
        name: "channel_binding=require, prefer on hostnossl trust: TLS refused, plain trust refused",
        conn: at("nossl_user", { channel_binding: "require" }),
        expect: "fails",
        says: /authenticated client without channel binding/,
        psqlSaysToo: true,
      },
      {
        name: "channel_binding=disable, SCRAM over TLS",
        conn: at("pw_user", { sslmode: "require", channel_binding: "disable" }),
        env: { PGPASSWORD: PASSWORD },
        expect: "tls",
      },
      {
        name: "channel_binding=prefer, trust over TLS",
        conn: at("ssl_user", { sslmode: "require", channel_binding: "prefer" }),
        expect: "tls",
      },
      {
        name: "channel_binding=bogus",
        conn: at("ssl_user", { channel_binding: "bogus" }),
        expect: "refused",
        says: /invalid channel_binding value "bogus"/,
      },
      // Nothing listening: psql's words.
      {
        name: "host=::1 with nothing listening: psql's words",
        conn: kv({ host: "::1", port: unusedPort, dbname: "postgres", user: "ssl_user" }),
        expect: "fails",
        says: new RegExp(
          `connection to server at "::1", port ${unusedPort} failed: Connection refused; is the server running on that host and accepting TCP/IP connections\\?`,
        ),
      },
      {
        name: "host=127.0.0.1 with nothing listening: psql's words",
        conn: kv({ host: "127.0.0.1", port: unusedPort, dbname: "postgres", user: "ssl_user", sslmode: "require" }),
        expect: "fails",
        says: new RegExp(`connection to server at "127\\.0\\.0\\.1", port ${unusedPort} failed: Connection refused`),
      },
      // The URL form.
      {
        name: "URL, verify-full",
        conn: `postgresql://ssl_user@localhost:${port()}/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(pkiCa)}`,
        expect: "tls",
      },
      {
        name: "URL, sslmode=disable on hostnossl",
        conn: `postgres://nossl_user@127.0.0.1:${port()}/postgres?sslmode=disable`,
        expect: "plain",
      },
      {
        name: "URL, ssl=true is require",
        conn: `postgresql://ssl_user@127.0.0.1:${port()}/postgres?ssl=true`,
        expect: "tls",
      },
      // The socket directory as host: never TLS, whatever sslmode says.
      {
        name: "socket directory as host=",
        conn: kv({ host: cluster.socketDir, port: port(), dbname: "postgres", user: OS_USER }),
        expect: "plain",
      },
      {
        name: "socket directory percent-encoded in a URL",
        conn: `postgresql://${OS_USER}@${encodeURIComponent(cluster.socketDir)}:${port()}/postgres`,
        expect: "plain",
      },
      {
        name: "socket directory as ?host=, sslmode=require",
        conn: `postgresql:///postgres?host=${cluster.socketDir}&port=${port()}&user=${OS_USER}&sslmode=require`,
        expect: "plain",
      },
      // PG* variables fill what the string leaves out; the string wins over them.
      {
        name: "PG* only, no connection string",
        env: {
          PGHOST: "127.0.0.1",
          PGPORT: String(port()),
          PGUSER: "ssl_user",
          PGDATABASE: "postgres",
          PGSSLMODE: "require",
        },
        expect: "tls",
      },
      {
        name: "PGSSLMODE=disable is overridden by the string's sslmode",
        conn: at("ssl_user", { sslmode: "require" }),
        env: { PGSSLMODE: "disable" },
        expect: "tls",
      },
      {
        name: "PGSSLMODE=disable fills an sslmode the string leaves out",
        conn: at("ssl_user"),
        env: { PGSSLMODE: "disable" },
        expect: "fails",
      },
      {
        name: "PGSSLROOTCERT with verify-ca",
        conn: at("ssl_user", { sslmode: "verify-ca" }),
        env: { PGSSLROOTCERT: pkiCa },
        expect: "tls",
      },
      {
        name: "PGSSLCERT and PGSSLKEY",
        conn: at("cert_user", { sslmode: "require" }),
        env: { PGSSLCERT: clientCert, PGSSLKEY: clientKey },
        expect: "tls",
      },
      // The service file, by keyword and by PGSERVICE; the string's keywords win over it.
      {
        name: "service= from ~/.pg_service.conf",
        conn: "service=warden dbname=postgres",
        home: {
          service: `[warden]\nhost=localhost\nport=${port()}\nuser=ssl_user\nsslmode=verify-full\nsslrootcert=${pkiCa}\n`,
        },
        expect: "tls",
      },
      {
        name: "PGSERVICE, and the string's user over the service's",
        conn: "user=nossl_user",
        env: { PGSERVICE: "warden" },
        home: { service: `[warden]\nhost=127.0.0.1\nport=${port()}\ndbname=postgres\nuser=ssl_user\n` },
        expect: "plain",
      },
      { name: "a service that is nowhere: refused", conn: "service=nowhere", expect: "refused" },
      // Passwords: ~/.pgpass matched as libpq matches it, ignored when others may read it; PGPASSWORD.
      {
        name: "password from ~/.pgpass",
        conn: at("pw_user", { sslmode: "require" }),
        home: { pgpass: { lines: [`127.0.0.1:${port()}:postgres:pw_user:${PASSWORD}`], mode: 0o600 } },
        expect: "tls",
      },
      {
        name: "~/.pgpass with *",
        conn: at("pw_user", { sslmode: "disable" }),
        home: { pgpass: { lines: [`*:*:*:pw_user:${PASSWORD}`], mode: 0o600 } },
        expect: "plain",
      },
      {
        name: "~/.pgpass that others may read is ignored",
        conn: at("pw_user", { sslmode: "require" }),
        home: { pgpass: { lines: [`*:*:*:*:${PASSWORD}`], mode: 0o644 } },
        expect: "fails",
        says: /has group or world access/,
      },
      {
        name: "~/.pgpass with no line for this port",
        conn: at("pw_user", { sslmode: "require" }),
        home: { pgpass: { lines: [`127.0.0.1:1:postgres:pw_user:${PASSWORD}`], mode: 0o600 } },
        expect: "fails",
      },
      {
        name: "PGPASSFILE",
        conn: at("pw_user", { sslmode: "require" }),
        env: { PGPASSFILE: join(work.dir, "passfile") },
        expect: "tls",
      },
      { name: "PGPASSWORD", conn: at("pw_user", { sslmode: "require" }), env: { PGPASSWORD: PASSWORD }, expect: "tls" },
      // libpq tries without TLS only when TLS failed or the server refused, not when it had no password to give.
      {
        name: "prefer, TLS asks a password there is none of: no retry without TLS (which would be trusted)",
        conn: at("split_user"),
        expect: "fails",
      },
      {
        name: "prefer, TLS asks a password and gets it",
        conn: at("split_user"),
        env: { PGPASSWORD: PASSWORD },
        expect: "tls",
      },
      // Input both refuse before connecting.
      {
        name: "a typo: sslmod=",
        conn: at("ssl_user", { sslmod: "require" }),
        expect: "refused",
        says: /invalid connection option "sslmod": did you mean sslmode\?/,
      },
      {
        name: "sslmode=bogus",
        conn: at("ssl_user", { sslmode: "bogus" }),
        expect: "refused",
        says: /invalid sslmode value "bogus"/,
      },
      {
        name: "PGSSLMODE=bogus",
        conn: at("ssl_user"),
        env: { PGSSLMODE: "bogus" },
        expect: "refused",
        says: /PGSSLMODE: invalid sslmode value "bogus"/,
      },
      {
        name: "port 99999",
        conn: at("ssl_user", { port: 99999 }),
        expect: "refused",
        says: /invalid port number "99999"/,
      },
      {
        name: "an unknown URI parameter",
        conn: `postgresql://ssl_user@127.0.0.1:${port()}/postgres?foo=1`,
        expect: "refused",
        says: /invalid connection option "foo"/,
      },
    ];
    await writeFile(join(work.dir, "passfile"), `*:*:*:pw_user:${PASSWORD}\n`, { mode: 0o600 });
    await runRows(t, rows);
  });
});

test("pg conninfo's text starts with what psql's \\conninfo prints for the same connection", async () => {
  for (const conn of [
    kv({
      host: "localhost",
      port: cluster.port,
      dbname: "postgres",
      user: "ssl_user",
      sslmode: "verify-full",
      sslrootcert: pkiCa,
    }),
    at("nossl_user", { sslmode: "disable" }),
    kv({ host: cluster.socketDir, port: cluster.port, dbname: "postgres", user: OS_USER }),
  ]) {
    const home = await makeHome();
    const psql = await runClient("psql", ["-X", "-c", "\\conninfo", conn], { env: { HOME: home } });
    assert.equal(psql.code, 0, psql.stderr);
    const warden = await pgwarden(["pg", "conninfo", "--conn", conn], { env: { ...cleanEnv(), HOME: home } });
    assert.equal(warden.code, 0, warden.stderr);
    assert.ok(warden.stdout.startsWith(psql.stdout), `psql:\n${psql.stdout}\npgwarden:\n${warden.stdout}`);
  }
});

test("pg conninfo's text says where each setting came from, compactly, and never the password", async () => {
  const home = await makeHome();
  const env = { ...cleanEnv(), HOME: home, PGPORT: String(cluster.port), PGSSLMODE: "require", PGPASSWORD: PASSWORD };
  const warden = await pgwarden(["pg", "conninfo", "--conn", "host=127.0.0.1 dbname=postgres user=pw_user"], { env });
  assert.equal(warden.code, 0, warden.stderr);
  const line = warden.stdout.split("\n").find((text) => text.startsWith("Settings: ")) ?? "";
  assert.match(line, /host=127\.0\.0\.1 \(--conn\)/);
  assert.match(line, /user=pw_user \(--conn\)/);
  assert.match(line, new RegExp(`port=${cluster.port} \\(PGPORT\\)`));
  assert.match(line, /sslmode=require \(PGSSLMODE\)/);
  assert.match(line, /the rest libpq's defaults\.$/);
  assert.doesNotMatch(line, /password/i, "the password's origin has its own line, its value none");
  assert.match(warden.stdout, /^Password from PGPASSWORD\.$/m);
  assert.doesNotMatch(warden.stdout, new RegExp(PASSWORD));
});

describe("the same settings through psql and pgwarden: server with TLS off", { concurrency: false }, () => {
  before(async () => {
    await cluster.sql("ALTER SYSTEM SET ssl = off");
    await cluster.reload();
  });
  test("rows", async (t) => {
    await runRows(t, [
      { name: "ssl off: disable", conn: at("nossl_user", { sslmode: "disable" }), expect: "plain" },
      { name: "ssl off: allow", conn: at("nossl_user", { sslmode: "allow" }), expect: "plain" },
      { name: "ssl off: prefer goes on without TLS", conn: at("nossl_user", { sslmode: "prefer" }), expect: "plain" },
      { name: "ssl off: prefer, hostssl only", conn: at("ssl_user", { sslmode: "prefer" }), expect: "fails" },
      { name: "ssl off: require refused", conn: at("nossl_user", { sslmode: "require" }), expect: "fails" },
      {
        name: "ssl off: verify-ca refused",
        conn: at("nossl_user", { sslmode: "verify-ca", sslrootcert: pkiCa }),
        expect: "fails",
      },
      {
        name: "ssl off: verify-full refused",
        conn: kv({
          host: "localhost",
          port: cluster.port,
          dbname: "postgres",
          user: "nossl_user",
          sslmode: "verify-full",
          sslrootcert: pkiCa,
        }),
        expect: "fails",
      },
      {
        name: "ssl off: password from ~/.pgpass without TLS",
        conn: at("pw_user"),
        home: { pgpass: { lines: [`localhost:*:*:*:wrong`, `127.0.0.1:*:*:*:${PASSWORD}`], mode: 0o600 } },
        expect: "plain",
      },
    ]);
  });
});
