/*
 * The TLS family of `pgwarden audit` on a real PostgreSQL: a well-configured TLS cluster audits
 * clean of tls/* findings; each planted weakness (settings, rules, a clear-text session, an
 * expired CRL, a key file mode, ssl off, CA and CRL settings, certificates that expire soon, are
 * signed with SHA-1, lack the host, have expired) yields its finding and no other of the family;
 * applying the fix the report prints makes it disappear on the next run.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import pg from "pg";

import { type AuditCheck } from "../src/audit/audit-check.js";
import { targetName } from "../src/audit/audit-target.js";
import { TLS_CHECKS } from "../src/audit/checks/tls/index.js";
import { sessionsWithoutTls } from "../src/audit/checks/tls/sessions-without-tls.js";
import { type Fact } from "../src/audit/fact.js";
import { type TlsSession, tlsSessionsFact } from "../src/audit/facts/tls-sessions.js";
import { runAudit } from "../src/audit/run-audit.js";
import { resolveConnection } from "../src/pg/conninfo/resolve.js";
import { scramVerifier } from "../src/roles/scram.js";
import { type AuditedCluster, type AuditJson, findingIds, startAuditedCluster } from "./support/audit-run.js";
import { issueWithCli, pgwarden } from "./support/cli.js";
import { emptyHome } from "./support/empty-home.js";
import { type TlsFiles, waitForLogLines } from "./support/pg-cluster.js";
import { type Fixture, makeCertificate, makeCrl, privateKeyPem } from "./support/x509-fixtures.js";

const STRONG_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!PSK";
const HBA = [
  "host all all 127.0.0.1/32 scram-sha-256",
  "hostssl all all 127.0.0.1/32 scram-sha-256",
  "hostssl all all 10.0.0.0/8 cert",
];

let audited: AuditedCluster;
let pki: string;
let work: string;
let fixtureRoot: Fixture;
let good: { certPem: string; keyPem: string };
let caPem: string;
let crlPem: string;

/** Runs a program (no shell) with stdin closed, as s_client needs to end its session. */
const run = (command: string, args: readonly string[]) =>
  new Promise<string>((resolve, reject) => {
    const child = execFile(command, args, { timeout: 10_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr || error.message)) : resolve(stdout),
    );
    child.stdin?.end();
  });

async function cli(args: readonly string[]): Promise<string> {
  const result = await pgwarden(["--format", "json", ...args, "--pki", pki]);
  assert.equal(result.code, 0, `pgwarden ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

async function issued(cn: string, extra: readonly string[] = []): Promise<{ certPem: string; keyPem: string }> {
  const out = JSON.parse(await cli(["cert", "issue", "--profile", "server", "--cn", cn, ...extra])) as {
    issued: { certPath: string; keyPath: string }[];
  };
  const pair = out.issued[0] as { certPath: string; keyPath: string };
  return { certPem: await readFile(pair.certPath, "utf8"), keyPem: await readFile(pair.keyPath, "utf8") };
}

/** The cluster's TLS files: the served pair, pgwarden's CA with the fixture root, and their CRLs. */
function tlsFiles(pair: { certPem: string; keyPem: string }, overrides: Partial<TlsFiles> = {}): TlsFiles {
  return { ...pair, caPem, crlPem, ...overrides };
}

async function serve(files: TlsFiles): Promise<void> {
  await audited.cluster.writeTls(files);
  await audited.cluster.reload();
}

async function audit(): Promise<AuditJson> {
  const { report } = await audited.audit(["--pgdata", audited.cluster.dataDir]);
  return report;
}

/** Whether the server completes a TLS 1.2 handshake with a client that offers only anonymous suites (openssl s_client). */
async function anonymousHandshake(): Promise<boolean> {
  const args = ["s_client", "-connect", `127.0.0.1:${audited.cluster.port}`, "-starttls", "postgres", "-tls1_2"];
  return run("openssl", [...args, "-cipher", "aNULL:@SECLEVEL=0"]).then(
    (out) => /Cipher is A(EC)?DH-/.test(out),
    () => false,
  );
}

const tlsIds = (report: AuditJson) => findingIds(report).filter((id) => id.startsWith("tls/"));
const findingOf = (report: AuditJson, id: string) => {
  const finding = report.findings.find((entry) => entry.id === id);
  assert.ok(finding, `${id} in ${JSON.stringify(tlsIds(report))}`);
  return finding;
};

/** A finding's SQL fix, run as the superuser through psql, as a DBA would paste it. */
async function applySqlFix(report: AuditJson, id: string): Promise<void> {
  const fix = findingOf(report, id).fix;
  assert.match(fix, /^ALTER SYSTEM /, `${id}'s fix is SQL`);
  await audited.cluster.sql(fix);
  await audited.cluster.reload();
}

/** The host-rules fix: `replace line N of FILE with: RULE; then SELECT pg_reload_conf()...`, done as written. */
async function applyRuleFix(report: AuditJson, id: string): Promise<void> {
  const fix = findingOf(report, id).fix;
  const match = /^replace line (\d+) of (.+?) with: (.+?); then SELECT pg_reload_conf\(\);/.exec(fix);
  assert.ok(match, fix);
  const [, line, file, rule] = match as unknown as [string, string, string, string];
  const lines = (await readFile(file, "utf8")).split("\n");
  lines[Number(line) - 1] = rule;
  await writeFile(file, lines.join("\n"));
  await audited.cluster.reload();
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "pgwarden-audit-tls-"));
  pki = join(work, "pki");
  await cli(["ca", "init", "--no-passphrase"]);
  await issueWithCli(pki, "server", "pg-audit", ["127.0.0.1"]);
  good = {
    certPem: await readFile(join(pki, "server", "pg-audit.crt"), "utf8").catch(() => ""),
    keyPem: await readFile(join(pki, "server", "pg-audit.key"), "utf8").catch(() => ""),
  };
  if (good.certPem === "") good = await issued("pg-audit-2", ["--san", "127.0.0.1"]);
  await cli(["crl"]);
  fixtureRoot = await makeCertificate({ name: "CN=audit fixture root" }, new Date());
  caPem = (await readFile(join(pki, "ca", "ca.crt"), "utf8")) + fixtureRoot.pem;
  crlPem =
    (await readFile(join(pki, "crl", "combined.crl"), "utf8")) + (await makeCrl({ issuer: fixtureRoot }, new Date()));
  audited = await startAuditedCluster({
    hba: HBA,
    tls: tlsFiles(good),
    settings: { ssl_min_protocol_version: "TLSv1.2", ssl_ciphers: STRONG_CIPHERS },
  });
});

after(async () => {
  await audited?.stop();
  await rm(work, { recursive: true, force: true });
});

test("a well-configured TLS cluster audits clean of tls/* findings, with every TLS check run", async () => {
  const report = await audit();
  assert.deepEqual(tlsIds(report), []);
  const ran = new Set(report.checks.filter((check) => check.check.startsWith("tls/")).map((check) => check.check));
  assert.equal(ran.size, TLS_CHECKS.length, `ran: ${[...ran].join(", ")}; not run: ${JSON.stringify(report.notRun)}`);
});

test("protocol floor, weak ciphers, a host rule, an expiring certificate, an expired CRL, a readable key, a clear-text session: each found, each fixed", async () => {
  // At OpenSSL's default security level the server refuses TLS 1.0 and anonymous suites whatever the settings say.
  await audited.cluster.sql("ALTER SYSTEM SET ssl_min_protocol_version = 'TLSv1'");
  await audited.cluster.sql("ALTER SYSTEM SET ssl_ciphers = 'HIGH:aNULL'");
  await audited.cluster.reload();
  const guarded = await audit();
  assert.deepEqual(tlsIds(guarded), ["tls/min-protocol"]);
  assert.equal(findingOf(guarded, "tls/min-protocol").severity, "low");
  assert.equal(await anonymousHandshake(), false, "openssl s_client agrees: no anonymous suite is picked");
  // @SECLEVEL=0 lifts that: now the server really picks them, and really speaks TLS 1.0.
  await audited.cluster.sql("ALTER SYSTEM SET ssl_ciphers = 'HIGH:aNULL:@SECLEVEL=0'");
  await audited.cluster.writeHba([...HBA, "host all all 10.0.0.0/8 scram-sha-256"]);
  const soon = await issued("pg-soon", ["--san", "127.0.0.1", "--days", "10"]);
  const staleCrl = await makeCrl({ issuer: fixtureRoot, thisUpdateDays: -10, nextUpdateDays: -1 }, new Date());
  await serve(tlsFiles(soon, { crlPem: staleCrl }));
  // After the reload: PostgreSQL would refuse to load a key others may read, and keep the old one.
  await chmod(join(audited.cluster.dataDir, "server.key"), 0o644);
  const plain = new pg.Client({
    host: "127.0.0.1",
    port: audited.cluster.port,
    user: "auditor",
    database: "postgres",
    password: audited.env.PGPASSWORD,
    ssl: false,
  });
  await plain.connect();
  let report: AuditJson;
  let remote: AuditJson;
  try {
    report = await audit();
    // Without --pgdata the CA and CRL files are read with pg_read_binary_file; file modes need the host.
    remote = (await audited.audit()).report;
  } finally {
    await plain.end();
  }
  assert.deepEqual(
    tlsIds(remote),
    tlsIds(report).filter((id) => id !== "tls/key-file-mode"),
  );
  assert.deepEqual(tlsIds(report), [
    "tls/certificate-expiring",
    "tls/crl-expired",
    "tls/host-rules-allow-plaintext",
    "tls/key-file-mode",
    "tls/min-protocol",
    "tls/sessions-without-tls",
    "tls/weak-ciphers",
  ]);
  assert.equal(findingOf(report, "tls/min-protocol").severity, "medium");
  assert.equal(await anonymousHandshake(), true, "openssl s_client agrees: an anonymous suite is picked");
  assert.match(findingOf(report, "tls/certificate-expiring").message, /expires in (9|10) days/);
  assert.equal(findingOf(report, "tls/sessions-without-tls").subject, "auditor@postgres from 127.0.0.1");
  assert.ok(findingOf(report, "tls/weak-ciphers").evidence.some((entry) => /^suite A(EC)?DH/.test(entry.label)));

  // The key first: until it is 0600 again PostgreSQL refuses every reload of its TLS files.
  const keyFix = findingOf(report, "tls/key-file-mode").fix;
  await run("sh", ["-c", keyFix.split("; then")[0] as string]);
  await applySqlFix(report, "tls/min-protocol");
  await applySqlFix(report, "tls/weak-ciphers");
  await applyRuleFix(report, "tls/host-rules-allow-plaintext");
  // cert renew, then install and reload (what pg tls --reload does); a fresh CRL for the expired one.
  await cli(["cert", "renew", "--cn", "pg-soon", "--days", "365"]);
  const renewed = {
    certPem: await readFile(join(pki, "server", "pg-soon.crt"), "utf8"),
    keyPem: await readFile(join(pki, "server", "pg-soon.key"), "utf8"),
  };
  await serve(tlsFiles(renewed));
  assert.deepEqual(tlsIds(await audit()), []);
});

test("ssl off with a network host rule and no key files: ssl-off and tcp-rules-without-tls only; ssl on and the rule made hostssl clear both", async () => {
  await audited.cluster.writeHba([...HBA, "host all all 10.0.0.0/8 scram-sha-256"]);
  await audited.cluster.sql("ALTER SYSTEM SET ssl = off");
  await audited.cluster.reload();
  // With ssl off the server reads neither file: their absence is no tls/key-file-mode finding (it was, twice).
  const data = audited.cluster.dataDir;
  await rename(join(data, "server.crt"), join(data, "server.crt.away"));
  await rename(join(data, "server.key"), join(data, "server.key.away"));
  let off: AuditJson;
  try {
    off = await audit();
  } finally {
    await rename(join(data, "server.crt.away"), join(data, "server.crt"));
    await rename(join(data, "server.key.away"), join(data, "server.key"));
  }
  assert.deepEqual(tlsIds(off), ["tls/ssl-off", "tls/tcp-rules-without-tls"]);
  assert.ok(
    findingOf(off, "tls/tcp-rules-without-tls").evidence.some(
      (entry) => entry.value === "host all all 10.0.0.0/8 scram-sha-256",
    ),
  );
  await audited.cluster.sql("ALTER SYSTEM RESET ssl");
  await audited.cluster.reload();
  const on = await audit();
  assert.deepEqual(tlsIds(on), ["tls/host-rules-allow-plaintext"]);
  await applyRuleFix(on, "tls/host-rules-allow-plaintext");
  assert.deepEqual(tlsIds(await audit()), []);
});

test("cert rules without ssl_ca_file, then a CA without a CRL: each found; the CA and the CRL installed clear them", async () => {
  await serve(tlsFiles(good, { caPem: undefined, crlPem: undefined }));
  assert.deepEqual(tlsIds(await audit()), ["tls/cert-rules-without-ca"]);
  await serve(tlsFiles(good, { crlPem: undefined }));
  assert.deepEqual(tlsIds(await audit()), ["tls/crl-missing"]);
  await serve(tlsFiles(good));
  assert.deepEqual(tlsIds(await audit()), []);
});

test("served certificates: SHA-1 self-signed, SANs without 127.0.0.1, expired: each found; one re-issued by pgwarden clears them", async () => {
  const key = join(work, "sha1.key");
  const cert = join(work, "sha1.crt");
  await run("openssl", [
    "req",
    "-x509",
    "-sha1",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-days",
    "90",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  await serve(tlsFiles({ certPem: await readFile(cert, "utf8"), keyPem: await readFile(key, "utf8") }));
  const sha1 = await audit();
  assert.deepEqual(tlsIds(sha1), ["tls/certificate-untrusted", "tls/certificate-weak-signature"]);
  assert.equal(findingOf(sha1, "tls/certificate-weak-signature").evidence[1]?.value, "ecdsa-with-SHA1");

  await serve(tlsFiles(await issued("other.example.com")));
  const elsewhere = await audit();
  assert.deepEqual(tlsIds(elsewhere), ["tls/certificate-host-mismatch"]);
  assert.match(
    findingOf(elsewhere, "tls/certificate-host-mismatch").message,
    /does not match host name "127\.0\.0\.1"/,
  );

  const expired = await makeCertificate(
    { name: "CN=pg-expired", issuer: fixtureRoot, ip: ["127.0.0.1"], notBeforeDays: -60, notAfterDays: -1 },
    new Date(),
  );
  await serve(tlsFiles({ certPem: expired.pem, keyPem: await privateKeyPem(expired.keys) }));
  const gone = await audit();
  assert.deepEqual(tlsIds(gone), ["tls/certificate-expired"]);
  assert.equal(findingOf(gone, "tls/certificate-expired").severity, "critical");

  await serve(tlsFiles(await issued("pg-audit-reissued", ["--san", "127.0.0.1"])));
  assert.deepEqual(tlsIds(await audit()), []);
});

test("as a pg_monitor member: the settings and sessions checks run; those needing HBA rules or server files are listed with the grant", async () => {
  const password = randomBytes(12).toString("hex");
  await audited.cluster.sql(`CREATE ROLE watcher LOGIN IN ROLE pg_monitor PASSWORD '${scramVerifier(password)}'`);
  try {
    const conn = `host=127.0.0.1 port=${audited.cluster.port} user=watcher dbname=postgres sslmode=require`;
    const result = await pgwarden(["audit", "--conn", conn, "--format", "json"], { env: { PGPASSWORD: password } });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    const report = JSON.parse(result.stdout) as AuditJson;
    const ran = report.checks.filter((check) => check.check.startsWith("tls/")).map((check) => check.check);
    for (const id of [
      "tls/ssl-off",
      "tls/min-protocol",
      "tls/weak-ciphers",
      "tls/sessions-without-tls",
      "tls/certificate-expiring",
    ])
      assert.ok(ran.includes(id), `${id} ran: ${ran.join(", ")}`);
    const notRun = new Map(report.notRun.map((entry) => [entry.check, entry.grant ?? ""]));
    assert.match(notRun.get("tls/host-rules-allow-plaintext") ?? "", /pg_hba_file_rules/);
    assert.match(notRun.get("tls/certificate-untrusted") ?? "", /pg_read_binary_file/);
    assert.match(notRun.get("tls/crl-expired") ?? "", /pg_read_server_files/);
    assert.deepEqual(tlsIds(report), []);
  } finally {
    await audited.cluster.sql("DROP ROLE watcher");
  }
});

test("static RSA suites in ssl_ciphers: not reported while the served key is EC (the server cannot pick them); with an RSA key reported, and fixed", async () => {
  const staticRsa = async () => {
    const args = ["s_client", "-connect", `127.0.0.1:${audited.cluster.port}`, "-starttls", "postgres", "-tls1_2"];
    return run("openssl", [...args, "-cipher", "AES128-GCM-SHA256"]).then(
      (out) => /Cipher is AES128-GCM-SHA256/.test(out),
      () => false,
    );
  };
  await audited.cluster.sql("ALTER SYSTEM SET ssl_ciphers = 'HIGH'");
  await serve(tlsFiles(good));
  assert.deepEqual(tlsIds(await audit()), []);
  assert.equal(await staticRsa(), false, "openssl s_client: an EC key cannot serve RSA key exchange");
  await serve(tlsFiles(await issued("pg-rsa", ["--san", "127.0.0.1", "--key-type", "rsa-2048"])));
  const report = await audit();
  assert.deepEqual(tlsIds(report), ["tls/ciphers-without-forward-secrecy"]);
  assert.ok(
    findingOf(report, "tls/ciphers-without-forward-secrecy").evidence.some(
      (entry) => entry.label === "suite AES128-GCM-SHA256",
    ),
  );
  assert.equal(await staticRsa(), true, "openssl s_client: with an RSA key the server picks it");
  await applySqlFix(report, "tls/ciphers-without-forward-secrecy");
  assert.deepEqual(tlsIds(await audit()), []);
  assert.equal(await staticRsa(), false);
  await serve(tlsFiles(good));
});

test("tls/sessions-without-tls leaves out the audit's own per-database connections (sslmode=disable, several databases)", async () => {
  const databases = ["audit_one", "audit_two", "audit_three"];
  for (const database of databases) await audited.cluster.sql(`CREATE DATABASE ${database}`);
  try {
    const conn = audited.conn.replace(/sslmode=\w+/, "sslmode=disable");
    const connection = resolveConnection(conn, { env: { ...audited.env, HOME: emptyHome() }, source: "--conn" });
    // The sessions fact, read while a connection of the audit to each database is open, as happens when
    // per-database facts run at the same time as the sessions query (what made the finding come and go).
    // Same id: the runner collects this in place of the plain one, and the check reads it.
    let opened = 0;
    let allOpen: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => (allOpen = resolve));
    const heldOpen: Fact<readonly TlsSession[]> = {
      id: tlsSessionsFact.id,
      scope: "server",
      async collect(source) {
        let sessions: Promise<readonly TlsSession[]> | undefined;
        await Promise.all(
          databases.map((database) =>
            source.inDatabase(database, async () => {
              if (++opened === databases.length) allOpen();
              await barrier;
              sessions ??= tlsSessionsFact.collect(source);
              await sessions;
            }),
          ),
        );
        return (await sessions) ?? [];
      },
    };
    let seen = 0;
    const holder: AuditCheck = {
      ...sessionsWithoutTls,
      id: "test/holds-connections",
      facts: [heldOpen],
      run(context) {
        seen = context.fact(heldOpen).length;
        return [];
      },
    };
    const target = { kind: "server" as const, name: targetName(connection), connection };
    const report = await runAudit([target], { now: new Date(), checks: [sessionsWithoutTls, holder], version: "test" });
    assert.ok(seen >= databases.length + 1, `the sessions read while the audit held ${databases.length + 1}: ${seen}`);
    assert.deepEqual(report.notRun, []);
    assert.deepEqual(
      report.findings.map((finding) => finding.message),
      [],
      "none of the audit's own connections is a session without TLS",
    );
    // The same through the CLI, every check, with sslmode=disable.
    const result = await pgwarden(["audit", "--conn", conn, "--format", "json"], { env: audited.env });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    assert.deepEqual(tlsIds(JSON.parse(result.stdout) as AuditJson), []);
  } finally {
    for (const database of databases) await audited.cluster.sql(`DROP DATABASE ${database}`);
  }
});

test("ssl on but no TLS served (turned on with a missing certificate, reload): tls/not-served, the wire checks not run with why, no hostssl fix", async () => {
  await audited.cluster.writeHba([...HBA, "host all all 10.0.0.0/8 scram-sha-256"]);
  await audited.cluster.sql("ALTER SYSTEM SET ssl = off");
  await audited.cluster.reload();
  // ssl on again, naming a certificate that is not there: the reload cannot load it and TLS stays off.
  const offset = (await audited.cluster.log()).length;
  await audited.cluster.sql("ALTER SYSTEM SET ssl_cert_file = 'missing.crt'");
  await audited.cluster.sql("ALTER SYSTEM SET ssl = on");
  await audited.cluster.sql("SELECT pg_catalog.pg_reload_conf()");
  assert.equal(await waitForLogLines(audited.cluster, offset, /SSL configuration was not reloaded/, 1), 1);
  try {
    assert.equal(await audited.cluster.sql("SHOW ssl"), "on");
    // The real client agrees: sslmode=require is refused.
    const required = new pg.Client({
      host: "127.0.0.1",
      port: audited.cluster.port,
      user: "auditor",
      database: "postgres",
      password: audited.env.PGPASSWORD,
      ssl: { rejectUnauthorized: false },
    });
    await assert.rejects(required.connect(), /does not support SSL/);
    const report = await audit();
    assert.deepEqual(tlsIds(report), ["tls/not-served"]);
    const finding = findingOf(report, "tls/not-served");
    assert.equal(finding.severity, "critical");
    assert.match(finding.message, /^ssl is on but the server serves no TLS: .*"N"/);
    assert.ok(
      finding.evidence.some((entry) => entry.label === "setting ssl_cert_file" && /missing\.crt/.test(entry.value)),
    );
    assert.match(finding.fix, /pgwarden pg tls --conn URL --reload/);
    const notRun = new Map(report.notRun.map((entry) => [entry.check, entry.reason]));
    for (const id of ["tls/certificate-expired", "tls/certificate-untrusted", "tls/certificate-host-mismatch"])
      assert.match(notRun.get(id) ?? "", /ssl is on but the server serves no TLS/, `${id} not run with why`);
  } finally {
    // What pg tls --reload ends with: a certificate the server can load, and a reload that loads it.
    await audited.cluster.sql("ALTER SYSTEM RESET ssl_cert_file");
    await audited.cluster.sql("ALTER SYSTEM RESET ssl");
    await audited.cluster.reload();
  }
  const fixed = await audit();
  assert.deepEqual(
    tlsIds(fixed),
    ["tls/host-rules-allow-plaintext"],
    "served again: the host rule's own finding is back",
  );
  await audited.cluster.writeHba(HBA);
  await audited.cluster.reload();
});

test("the audit's TLS probes end their sessions cleanly: no 'could not accept SSL connection' in the server log", async () => {
  await audited.cluster.sql("ALTER SYSTEM SET log_min_messages = 'debug1'");
  await audited.cluster.reload();
  try {
    const offset = (await audited.cluster.log()).length;
    await audit();
    // The server logs the hang-up as the backend reads it, shortly after the probe left: wait for it (5 s at most).
    const unclean = await waitForLogLines(audited.cluster, offset, /could not accept SSL connection|EOF detected/, 1);
    assert.equal(unclean, 0, (await audited.cluster.log()).slice(offset));
  } finally {
    await audited.cluster.sql("ALTER SYSTEM RESET log_min_messages");
    await audited.cluster.reload();
  }
});
