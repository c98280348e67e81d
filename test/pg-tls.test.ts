import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { type CliOptions, pgwarden as runPgwarden, snapshot, tempDir, withTextErrors } from "./support/cli.js";
import { type Cluster, runClient, startCluster } from "./support/pg-cluster.js";

/** The CLI, its --format json errors read as their text line: these tests check the message's words. */
const pgwarden = async (args: readonly string[], options?: CliOptions) =>
  withTextErrors(await runPgwarden(args, options));

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
  const result = await runClient(
    "openssl",
    [
      "s_client",
      "-starttls",
      "postgres",
      "-connect",
      `127.0.0.1:${cluster.port}`,
      "-CAfile",
      join(pki, "ca", "ca.crt"),
      "-verify_hostname",
      "localhost",
      "-verify_return_error",
    ],
    { input: "" },
  );
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(result.stdout)?.[0];
  assert.ok(pem, `openssl s_client showed no certificate: ${result.stderr}`);
  return {
    fingerprint: new X509Certificate(pem).fingerprint256,
    verify: /Verify return code: .*/.exec(result.stdout)?.[0] ?? "",
  };
}

test("ssl is off before: the server refuses TLS", async () => {
  assert.equal(await cluster.sql("SHOW ssl"), "off");
});

test("--dry-run prints every file and setting it would change and writes nothing", async () => {
  const before = await snapshot(cluster.dataDir);
  const pkiBefore = await snapshot(pki);
  const result = await pgwarden([
    "pg",
    "tls",
    "--pki",
    pki,
    "--pgdata",
    cluster.dataDir,
    "--cn",
    "localhost",
    "--dry-run",
  ]);
  assert.equal(result.code, 0, result.stderr);
  for (const name of ["server.crt", "server.key", "root.crt", "pgwarden.conf", "postgresql.conf"])
    assert.match(result.stdout, new RegExp(`would (create|replace)\\s+\\S*${name.replace(".", "\\.")}`));
  for (const setting of [
    "ssl = 'on'",
    "ssl_cert_file = 'server.crt'",
    "ssl_key_file = 'server.key'",
    "ssl_ca_file = 'root.crt'",
    "ssl_min_protocol_version = 'TLSv1.2'",
  ]) {
    assert.ok(result.stdout.includes(setting), setting);
  }
  assert.ok(result.stdout.includes("ssl_crl_file = ''"), "no CRL in the PKI yet: ssl_crl_file is cleared");
  assert.deepEqual(await snapshot(cluster.dataDir), before);
  assert.deepEqual(await snapshot(pki), pkiBefore, "no certificate issued by a dry run");
});

test("a CN that is no host name beside --san is refused naming --no-cn-san, which pg tls takes as cert issue does", async () => {
  const before = await snapshot(cluster.dataDir);
  const args = [
    "pg",
    "tls",
    "--pki",
    pki,
    "--pgdata",
    cluster.dataDir,
    "--cn",
    "pg_meta_label",
    "--san",
    "127.0.0.1",
    "--dry-run",
  ];
  const refused = await pgwarden(args);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /--no-cn-san/);
  const labelled = await pgwarden([...args, "--no-cn-san"]);
  assert.equal(labelled.code, 0, labelled.stderr);
  assert.match(labelled.stdout, /would (create|replace)\s+\S*server\.crt/);
  assert.deepEqual(await snapshot(cluster.dataDir), before);
});

test("pg tls --reload turns TLS on; the served certificate is verified by pgwarden and by openssl", async () => {
  const result = await pgwarden([...tlsArgs(), "--reload"]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as {
    certificate: { path: string; action: string };
    reloaded: boolean;
    served: { running: boolean; matches: boolean; probe: { verified: boolean; fingerprintSha256: string } };
  };
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
  assert.deepEqual(
    backups.map((name) => name.replace(/\..*$/, "")),
    ["postgresql"],
    "the user's postgresql.conf was kept before the include line was added",
  );
});

test("a second run changes nothing", async () => {
  const before = await snapshot(cluster.dataDir);
  const result = await pgwarden([...tlsArgs(), "--reload"]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as {
    plan: { changed: boolean; files: { action: string }[] };
    reloaded: boolean;
    served: { matches: boolean };
  };
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
  const result = await pgwarden([
    ...tlsArgs(),
    "--reload",
    "--san",
    "localhost",
    "--san",
    "127.0.0.1",
    "--san",
    "db.test",
  ]);
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
  const result = await pgwarden([
    ...tlsArgs(),
    "--reload",
    "--san",
    "localhost",
    "--san",
    "127.0.0.1",
    "--san",
    "db2.test",
    "--log",
    cluster.logFile,
  ]);
  await cluster.sql("ALTER SYSTEM RESET ssl_key_file");
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stderr, /warning: postgresql\.auto\.conf sets ssl_key_file/);
  assert.match(result.stderr, /PostgreSQL did not take the new TLS configuration: .*missing\.key/);
  const repaired = await pgwarden([
    ...tlsArgs(),
    "--reload",
    "--san",
    "localhost",
    "--san",
    "127.0.0.1",
    "--san",
    "db2.test",
  ]);
  assert.equal(repaired.code, 0, repaired.stderr);

  // Each certificate and key it replaced was kept; a key's backup is 0600 even though the
  // key it replaced had been made 0644 by hand (the test before this one).
  const names = await readdir(cluster.dataDir);
  const backupsOf = (file: string) => names.filter((name) => name.startsWith(`${file}.`) && name.endsWith(".bak"));
  assert.ok(backupsOf("server.crt").length >= 1, `a backup of the replaced server.crt: ${names.join(" ")}`);
  assert.ok(backupsOf("server.key").length >= 1, `a backup of the replaced server.key: ${names.join(" ")}`);
  for (const name of backupsOf("server.key"))
    assert.equal((await stat(join(cluster.dataDir, name))).mode & 0o777, 0o600, name);
});

test("--conn: a running server reached as a superuser gets its files where data_directory is and its settings through ALTER SYSTEM", async () => {
  const other = await startCluster({ hba: ["host all all 127.0.0.1/32 scram-sha-256"] });
  try {
    const password = `pw-${Date.now()}`;
    // The password reaches the server through psql's stdin, and pgwarden through PGPASSWORD: never argv.
    await other.sql(`SET log_statement = 'none'; ALTER ROLE ${other.superuser} PASSWORD '${password}'`);
    const url = `postgresql://${other.superuser}@127.0.0.1:${other.port}/postgres`;
    const env = { PGPASSWORD: password };
    const dry = await pgwarden(["pg", "tls", "--pki", pki, "--conn", url, "--cn", "localhost", "--dry-run"], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would ALTER SYSTEM SET ssl = 'on'/);
    assert.equal(await other.sql("SHOW ssl"), "off", "a dry run changes nothing");

    const result = await pgwarden(["pg", "tls", "--pki", pki, "--conn", url, "--cn", "localhost", "--format", "json"], {
      env,
    });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      dataDirectory: string;
      alterSystem: string[];
      served: { matches: boolean };
    };
    assert.equal(report.dataDirectory, other.dataDir);
    assert.ok(report.alterSystem.includes("ssl") && report.served.matches);
    assert.equal(await other.sql("SHOW ssl"), "on");
    assert.match(
      await readFile(join(other.dataDir, "postgresql.auto.conf"), "utf8"),
      /ssl_ca_file = 'root\.crt'/,
      "only what differs from the server's values is set",
    );
    assert.equal((await stat(join(other.dataDir, "server.key"))).mode & 0o777, 0o600);
    assert.ok(!(await other.log()).includes(password), "the password never reaches the server log");

    const again = await pgwarden(["pg", "tls", "--pki", pki, "--conn", url, "--cn", "localhost", "--format", "json"], {
      env,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      (JSON.parse(again.stdout) as { alterSystem: string[] }).alterSystem,
      [],
      "a second run changes nothing",
    );

    const wrong = await pgwarden(["pg", "tls", "--pki", pki, "--conn", url, "--cn", "localhost"], {
      env: { PGPASSWORD: "wrong" },
    });
    assert.equal(wrong.code, 5);
    assert.match(wrong.stderr, /password authentication failed/);
  } finally {
    await other.stop();
  }
});

test("--print gives the pgbouncer, Patroni and etcd TLS lines for a host's certificate", async () => {
  assert.equal(
    (await pgwarden(["cert", "issue", "--pki", pki, "--profile", "peer", "--cn", "pg-1.test", "--san", "pg-1.test"]))
      .code,
    0,
  );
  assert.equal(
    (await pgwarden(["cert", "issue", "--pki", pki, "--profile", "server", "--cn", "pg-1.test", "--san", "pg-1.test"]))
      .code,
    0,
  );
  const pgbouncer = await pgwarden(["pg", "tls", "--pki", pki, "--print", "pgbouncer", "--cn", "pg-1.test"]);
  assert.equal(pgbouncer.code, 0, pgbouncer.stderr);
  assert.match(
    pgbouncer.stdout,
    new RegExp(`client_tls_cert_file = ${join(pki, "server", "pg-1.test.crt").replace(/\./g, "\\.")}`),
  );
  const patroni = await pgwarden(["pg", "tls", "--pki", pki, "--print", "patroni", "--cn", "pg-1.test"]);
  assert.equal(patroni.code, 0, patroni.stderr);
  assert.match(patroni.stdout, /restapi:[\s\S]*certfile: .*peer\/pg-1\.test\.crt[\s\S]*verify_client: required/);
  const etcd = await pgwarden(["pg", "tls", "--pki", pki, "--print", "etcd", "--cn", "pg-1.test"]);
  assert.equal(etcd.code, 0, etcd.stderr);
  assert.match(etcd.stdout, /--peer-client-cert-auth/);
  const missing = await pgwarden(["pg", "tls", "--pki", pki, "--print", "etcd", "--cn", "pg-9.test"]);
  assert.equal(missing.code, 4);
  assert.match(missing.stderr, /issue it first with pgwarden cert issue --profile peer --cn pg-9\.test/);
  const both = await pgwarden(["pg", "tls", "--pki", pki, "--print", "etcd", "--pgdata", cluster.dataDir]);
  assert.equal(both.code, 2);
});

test("a CRL in the PKI is installed as root.crl, and PostgreSQL then refuses the revoked client certificate", async () => {
  assert.equal(
    (await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "revoked_user"])).code,
    0,
  );
  await cluster.sql("CREATE ROLE revoked_user LOGIN");
  // The CRL is made by OpenSSL's own `ca -gencrl`, revoking that certificate.
  const ca = join(work.dir, "openssl-ca");
  const { mkdir, writeFile } = await import("node:fs/promises");
  await mkdir(ca, { recursive: true });
  await writeFile(join(ca, "index.txt"), "");
  await writeFile(
    join(ca, "openssl.cnf"),
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${ca}/index.txt\ndefault_md = sha256\ndefault_crl_days = 30\n`,
  );
  const openssl = (args: string[]) =>
    runClient("openssl", [
      "ca",
      "-config",
      join(ca, "openssl.cnf"),
      "-keyfile",
      join(pki, "ca", "ca.key"),
      "-cert",
      join(pki, "ca", "ca.crt"),
      ...args,
    ]);
  assert.equal((await openssl(["-revoke", join(pki, "client", "revoked_user.crt")])).code, 0);
  await mkdir(join(pki, "crl"), { recursive: true });
  const crl = await openssl(["-gencrl", "-out", join(pki, "crl", "ca.crl")]);
  assert.equal(crl.code, 0, crl.stderr);

  const result = await pgwarden([...tlsArgs(), "--reload"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await cluster.sql("SHOW ssl_crl_file"), "root.crl");
  assert.equal((await stat(join(cluster.dataDir, "root.crl"))).mode & 0o777, 0o600);
  await cluster.writeHba(["hostssl all all 127.0.0.1/32 cert"]);
  await cluster.reload();
  const revoked = await runClient("psql", [
    "-X",
    "-c",
    "select 1",
    `host=localhost port=${cluster.port} dbname=postgres user=revoked_user sslmode=verify-full sslrootcert=${pki}/ca/ca.crt sslcert=${pki}/client/revoked_user.crt sslkey=${pki}/client/revoked_user.key`,
  ]);
  assert.notEqual(revoked.code, 0);
  assert.match(revoked.stderr, /certificate revoked/);
});

/** A CRL made by OpenSSL's `ca -gencrl` for the CA of `pkiDir` (revoking nothing), with optional lastUpdate/nextUpdate (YYYYMMDDHHMMSSZ). */
async function opensslCrl(pkiDir: string, name: string, dates: string[] = [], crlExtensions?: string): Promise<string> {
  const { mkdir, writeFile } = await import("node:fs/promises");
  const dir = join(work.dir, `crl-${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "index.txt"), "");
  const section = crlExtensions === undefined ? "" : `[x]\n${crlExtensions}\n`;
  await writeFile(
    join(dir, "openssl.cnf"),
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${dir}/index.txt\ndefault_md = sha256\ndefault_crl_days = 30\n${section}`,
  );
  const out = join(dir, "crl.pem");
  const signer = ["-keyfile", join(pkiDir, "ca", "ca.key"), "-cert", join(pkiDir, "ca", "ca.crt")];
  const exts = crlExtensions === undefined ? [] : ["-crlexts", "x"];
  const made = await runClient("openssl", [
    "ca",
    "-config",
    join(dir, "openssl.cnf"),
    ...signer,
    "-gencrl",
    "-out",
    out,
    ...dates,
    ...exts,
  ]);
  assert.equal(made.code, 0, made.stderr);
  return readFile(out, "utf8");
}

const stamp = (date: Date) => `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;

/** psql with sslmode=verify-full and a client certificate, reaching 127.0.0.1 under the name `host`. */
function certLogin(role: string, host = "localhost") {
  const conninfo =
    `host=${host} hostaddr=127.0.0.1 port=${cluster.port} dbname=postgres user=${role} sslmode=verify-full ` +
    `sslrootcert=${pki}/ca/ca.crt sslcert=${pki}/client/${role}.crt sslkey=${pki}/client/${role}.key`;
  return runClient("psql", ["-X", "-A", "-t", "-c", "select current_user", conninfo]);
}

const sighups = async () => (await cluster.log()).split("received SIGHUP").length - 1;

test("a CRL that is expired, another CA's, or unusable for client certificates (critical extension, CA-only scope, a certificate in the file) is refused: \
nothing installed or reloaded, certificate logins still work", async () => {
  assert.equal((await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "good_user"])).code, 0);
  await cluster.sql("CREATE ROLE good_user LOGIN");
  const login = await certLogin("good_user");
  assert.equal(login.code, 0, login.stderr);

  const other = join(work.dir, "other-pki");
  assert.equal((await pgwarden(["ca", "init", "--pki", other, "--cn", "other-ca"])).code, 0);
  const day = 24 * 3600 * 1000;
  const bad = [
    {
      name: "expired",
      pem: await opensslCrl(pki, "expired", [
        "-crl_lastupdate",
        stamp(new Date(Date.now() - 3 * day)),
        "-crl_nextupdate",
        stamp(new Date(Date.now() - day)),
      ]),
      reason: /ca\.crl expired on .*\(its nextUpdate\)/,
    },
    {
      name: "foreign",
      pem: await opensslCrl(other, "foreign"),
      reason: /ca\.crl was issued by "CN=other-ca", not by this PKI's CA/,
    },
    // The CA's own, current CRLs that OpenSSL cannot use for a client certificate (proved against PostgreSQL below).
    {
      name: "critical-unknown",
      pem: await opensslCrl(pki, "critical-unknown", [], "1.2.3.4=critical,ASN1:NULL"),
      reason: /ca\.crl has a critical CRL extension 1\.2\.3\.4 that OpenSSL does not handle/,
    },
    {
      name: "ca-only",
      pem: await opensslCrl(pki, "ca-only", [], "issuingDistributionPoint=critical,@idp\n[idp]\nonlyCA=TRUE"),
      reason: /ca\.crl has an issuingDistributionPoint with onlyContainsCACerts/,
    },
    {
      name: "stray-certificate",
      pem: `${await opensslCrl(pki, "stray")}${await readFile(join(other, "ca", "ca.crt"), "utf8")}`,
      reason: /ca\.crl holds a CERTIFICATE PEM block besides its CRL/,
    },
  ];
  const { writeFile } = await import("node:fs/promises");
  const installed = await readFile(join(cluster.dataDir, "root.crl"), "utf8");
  for (const crl of bad) {
    await writeFile(join(pki, "crl", "ca.crl"), crl.pem);
    const before = await snapshot(cluster.dataDir);
    const pkiBefore = await snapshot(pki);
    const reloads = await sighups();
    // A new SAN, so that without the check a certificate would be issued and the server reloaded.
    const result = await pgwarden([
      ...tlsArgs(),
      "--reload",
      "--san",
      "localhost",
      "--san",
      "127.0.0.1",
      "--san",
      `crl-${crl.name}.test`,
    ]);
    assert.equal(result.code, 7, `${crl.name}: ${result.stdout}${result.stderr}`);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, crl.reason);
    assert.match(result.stderr, /nothing was installed/);
    assert.deepEqual(await snapshot(cluster.dataDir), before, `${crl.name}: PGDATA untouched`);
    assert.deepEqual(await snapshot(pki), pkiBefore, `${crl.name}: no certificate issued`);
    assert.equal(
      await readFile(join(cluster.dataDir, "root.crl"), "utf8"),
      installed,
      `${crl.name}: the old CRL stays installed`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await sighups(), reloads, `${crl.name}: the server was not reloaded`);
    const still = await certLogin("good_user");
    assert.equal(still.code, 0, `${crl.name}: ${still.stderr}`);
    // The dry run gives the same verdict.
    assert.equal((await pgwarden([...tlsArgs(), "--dry-run"])).code, 7);
  }

  // PostgreSQL agrees that the expired one would have locked every certificate out.
  await writeFile(join(cluster.dataDir, "root.crl"), bad[0]?.pem ?? "");
  await cluster.reload();
  const locked = await certLogin("good_user");
  assert.notEqual(locked.code, 0);
  // OpenSSL's alert for X509_V_ERR_CRL_HAS_EXPIRED.
  assert.match(locked.stderr, /sslv3 alert certificate expired/);

  // And that the CA's own CRLs pgwarden refused for their extensions lock every certificate out too.
  for (const crl of bad.filter((item) => item.name === "critical-unknown" || item.name === "ca-only")) {
    await writeFile(join(cluster.dataDir, "root.crl"), crl.pem);
    await cluster.reload();
    const refused = await certLogin("good_user");
    assert.notEqual(refused.code, 0, `${crl.name}: PostgreSQL accepted the login with this CRL installed`);
  }

  // A fresh, good CRL is installed and reloaded, and the login works again.
  const good = await opensslCrl(pki, "good");
  await writeFile(join(pki, "crl", "ca.crl"), good);
  const result = await pgwarden([...tlsArgs(), "--reload"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await readFile(join(cluster.dataDir, "root.crl"), "utf8"), good);
  const back = await certLogin("good_user");
  assert.equal(back.code, 0, back.stderr);
});

test("a server certificate the CA did not sign, served after the reload (an ALTER SYSTEM override), makes pg tls fail with exit 7", async () => {
  // A self-signed certificate, as Debian's ssl-cert-snakeoil is, left in place by an ALTER SYSTEM setting.
  const key = join(cluster.dataDir, "snakeoil.key");
  const crt = join(cluster.dataDir, "snakeoil.crt");
  const subject = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-days", "30"];
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key];
  const made = await runClient("openssl", ["req", "-x509", ...newKey, ...subject, "-out", crt]);
  assert.equal(made.code, 0, made.stderr);
  const { chmod, chown } = await import("node:fs/promises");
  const owner = await stat(cluster.dataDir);
  for (const path of [key, crt]) {
    await chown(path, owner.uid, owner.gid);
    await chmod(path, 0o600);
  }
  await cluster.sql(`ALTER SYSTEM SET ssl_cert_file = '${crt}'`);
  await cluster.sql(`ALTER SYSTEM SET ssl_key_file = '${key}'`);
  try {
    // A new name, so pg tls re-issues and reloads: the pending override takes effect with that reload.
    const result = await pgwarden([
      ...tlsArgs(),
      "--reload",
      "--san",
      "localhost",
      "--san",
      "127.0.0.1",
      "--san",
      "snake.test",
    ]);
    assert.equal(result.code, 7, `${result.stdout}${result.stderr}`);
    assert.match(
      result.stderr,
      /the server serves CN=localhost \(not the one pgwarden installed\), and it does not verify against the CA for localhost: /,
    );
    assert.match(result.stderr, /: DEPTH_ZERO_SELF_SIGNED_CERT; sslmode=verify-full clients will fail/);
    assert.match(
      result.stderr,
      /postgresql\.auto\.conf \(ALTER SYSTEM\) overrides ssl_cert_file, ssl_key_file: run ALTER SYSTEM RESET/,
    );
    // OpenSSL's own client agrees the served certificate does not verify.
    const target = [
      "-connect",
      `127.0.0.1:${cluster.port}`,
      "-CAfile",
      join(pki, "ca", "ca.crt"),
      "-verify_hostname",
      "localhost",
    ];
    const seen = await runClient("openssl", ["s_client", "-starttls", "postgres", ...target], { input: "" });
    assert.match(seen.stdout, /Verify return code: (18|19|21) /);
  } finally {
    await cluster.sql("ALTER SYSTEM RESET ssl_cert_file");
    await cluster.sql("ALTER SYSTEM RESET ssl_key_file");
  }
  const repaired = await pgwarden([...tlsArgs(), "--reload"]);
  assert.equal(repaired.code, 0, repaired.stderr);
  assert.equal((await servedByOpenssl()).verify, "Verify return code: 0 (ok)");
});

test("pg tls --cn re-issues a certificate lacking the name with every name it had (a VIP) plus the new ones, old cert and key kept", async () => {
  // Made by hand for the VIP only, as an operator would for a floating address.
  assert.equal(
    (
      await pgwarden([
        "cert",
        "issue",
        "--pki",
        pki,
        "--profile",
        "server",
        "--cn",
        "pg-vip-node.test",
        "--san",
        "pg-vip.test",
        "--no-cn-san",
      ])
    ).code,
    0,
  );
  const certPath = join(pki, "server", "pg-vip-node.test.crt");
  const keyPath = join(pki, "server", "pg-vip-node.test.key");
  const [oldCert, oldKey] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
  assert.ok(!new X509Certificate(oldCert).checkHost("pg-vip-node.test"), "the old certificate lacks the node's name");

  const result = await pgwarden([
    "pg",
    "tls",
    "--pki",
    pki,
    "--pgdata",
    cluster.dataDir,
    "--cn",
    "pg-vip-node.test",
    "--reload",
    "--format",
    "json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as {
    certificate: { action: string; reason: string; backups: string[] };
    served: { matches: boolean; probe: { verified: boolean } };
  };
  assert.equal(report.certificate.action, "reissued");
  assert.match(report.certificate.reason, /does not name pg-vip-node\.test/);
  assert.ok(report.served.matches && report.served.probe.verified);

  const fresh = new X509Certificate(await readFile(certPath));
  // Its own names, the requested ones, then those of the server.crt it replaces in PGDATA (earlier tests' db2.test and snake.test).
  const own = "DNS:pg-vip.test, DNS:pg-vip-node.test, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1";
  assert.equal(fresh.subjectAltName, `${own}, DNS:db2.test, DNS:snake.test`);
  assert.match(fresh.subject, /CN=pg-vip-node\.test/);
  const verified = await runClient("openssl", [
    "verify",
    "-CAfile",
    join(pki, "ca", "ca.crt"),
    "-purpose",
    "sslserver",
    certPath,
  ]);
  assert.equal(verified.code, 0, verified.stderr);

  // Both old files kept, byte for byte; the key's copy private.
  assert.equal(report.certificate.backups.length, 2);
  const [certBackup, keyBackup] = report.certificate.backups as [string, string];
  assert.ok(certBackup.startsWith(`${certPath}.`) && keyBackup.startsWith(`${keyPath}.`));
  assert.equal(await readFile(certBackup, "utf8"), oldCert);
  assert.equal(await readFile(keyBackup, "utf8"), oldKey);
  assert.equal((await stat(keyBackup)).mode & 0o777, 0o600);
  assert.match(result.stderr, /kept the previous .*pg-vip-node\.test\.key as /);

  // verify-full by the VIP's name and by the node's name, both reaching this server.
  for (const host of ["pg-vip.test", "pg-vip-node.test"]) {
    const login = await certLogin("good_user", host);
    assert.equal(login.code, 0, `${host}: ${login.stderr}`);
    assert.equal(login.stdout.trim(), "good_user");
  }
});

test("a server certificate pgwarden did not make (another CA's) is refused without --force; --force replaces it, kept as .bak, names kept", async () => {
  const other = join(work.dir, "other-pki");
  const names = ["--san", "corp-db.test", "--san", "corp-vip.test"];
  const issued = await pgwarden([
    "cert",
    "issue",
    "--pki",
    other,
    "--profile",
    "server",
    "--cn",
    "corp-db.test",
    ...names,
  ]);
  assert.equal(issued.code, 0, issued.stderr);
  const { copyFile } = await import("node:fs/promises");
  const certPath = join(pki, "server", "corp-db.test.crt");
  const keyPath = join(pki, "server", "corp-db.test.key");
  await copyFile(join(other, "server", "corp-db.test.crt"), certPath);
  await copyFile(join(other, "server", "corp-db.test.key"), keyPath);
  const oldCert = await readFile(certPath, "utf8");

  const before = await snapshot(cluster.dataDir);
  const pkiBefore = await snapshot(pki);
  const args = ["pg", "tls", "--pki", pki, "--pgdata", cluster.dataDir, "--cn", "corp-db.test", "--reload"];
  for (const extra of [[], ["--dry-run"]]) {
    const refused = await pgwarden([...args, ...extra]);
    assert.equal(refused.code, 2, refused.stdout);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /corp-db\.test\.crt cannot serve \(unable to get local issuer certificate.*\) and was not made by pgwarden for this server /,
    );
    assert.match(
      refused.stderr,
      / \(it is not signed by this CA \(issuer: CN=other-ca\)\), so pg tls will not replace it: pass --force/,
    );
    assert.deepEqual(await snapshot(cluster.dataDir), before);
    assert.deepEqual(await snapshot(pki), pkiBefore);
    assert.equal(await readFile(certPath, "utf8"), oldCert);
  }

  const forced = await pgwarden([...args, "--force", "--format", "json"]);
  assert.equal(forced.code, 0, forced.stderr);
  const report = JSON.parse(forced.stdout) as { certificate: { action: string; backups: string[] } };
  assert.equal(report.certificate.action, "reissued");
  assert.equal(report.certificate.backups.length, 2);
  assert.equal(await readFile(report.certificate.backups[0] as string, "utf8"), oldCert);
  const fresh = new X509Certificate(await readFile(certPath));
  assert.ok(
    fresh.checkHost("corp-vip.test") && fresh.checkHost("corp-db.test") && fresh.checkIP("127.0.0.1"),
    fresh.subjectAltName,
  );
  assert.equal(
    (await runClient("openssl", ["verify", "-CAfile", join(pki, "ca", "ca.crt"), "-purpose", "sslserver", certPath]))
      .code,
    0,
  );
  const login = await certLogin("good_user", "corp-vip.test");
  assert.equal(login.code, 0, login.stderr);
});

test("a server.crt in PGDATA that pgwarden did not make is refused without --force, untouched; --force replaces it and keeps it as .bak", async () => {
  // Installed by hand, from another CA, naming a VIP.
  const other = join(work.dir, "other-pki");
  assert.equal(
    (
      await pgwarden([
        "cert",
        "issue",
        "--pki",
        other,
        "--profile",
        "server",
        "--cn",
        "hand-made.test",
        "--san",
        "hand-vip.test",
        "--no-cn-san",
      ])
    ).code,
    0,
  );
  const { chown, copyFile } = await import("node:fs/promises");
  const owner = await stat(cluster.dataDir);
  for (const [from, to] of [
    ["crt", "server.crt"],
    ["key", "server.key"],
  ] as const) {
    await copyFile(join(other, "server", `hand-made.test.${from}`), join(cluster.dataDir, to));
    await chown(join(cluster.dataDir, to), owner.uid, owner.gid);
  }
  await cluster.reload();
  const handMade = await readFile(join(cluster.dataDir, "server.crt"), "utf8");
  const before = await snapshot(cluster.dataDir);
  const pkiBefore = await snapshot(pki);
  for (const extra of [[], ["--dry-run"]]) {
    const refused = await pgwarden([...tlsArgs(), "--reload", ...extra]);
    assert.equal(refused.code, 2, refused.stdout);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /server\.crt was not made by pgwarden \(CN=hand-made\.test, issuer CN=other-ca, names DNS:hand-vip\.test\)/,
    );
    assert.match(refused.stderr, /, so pg tls will not replace it and server\.key: pass --force/);
    assert.deepEqual(await snapshot(cluster.dataDir), before);
    assert.deepEqual(await snapshot(pki), pkiBefore);
  }
  const forced = await pgwarden([...tlsArgs(), "--reload", "--force"]);
  assert.equal(forced.code, 0, forced.stderr);
  const names = await readdir(cluster.dataDir);
  const backups = names.filter((name) => name.startsWith("server.crt.") && name.endsWith(".bak"));
  const kept = await Promise.all(backups.map((name) => readFile(join(cluster.dataDir, name), "utf8")));
  assert.ok(kept.includes(handMade), "the hand-made certificate is kept as .bak");
  assert.equal((await servedByOpenssl()).verify, "Verify return code: 0 (ok)");
});
