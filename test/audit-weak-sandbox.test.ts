/*
 * The proof on one deliberately weak server: from a TLS-enabled cluster whose findings
 * are recorded first (the baseline: what the test harness itself leaves weak, each listed and
 * explained below), plant trust from the network, an md5 verifier, a Pigsty default password,
 * logging off, CREATE on schema public for everyone, a SECURITY DEFINER function without a
 * search_path, an expiring server certificate, then ssl off. The audit against the baseline
 * reports exactly the planted findings as new (no false ones), and applying the fix each one
 * prints makes it disappear on the next run.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { scramVerifier } from "../src/roles/scram.js";
import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { pgwarden } from "./support/cli.js";

type Finding = AuditJson["findings"][number];
interface BaselineJson extends AuditJson {
  readonly baseline: { readonly new: readonly string[]; readonly unchanged: readonly string[] };
}

/**
 * What the harness cluster is audited with before anything is planted, each true of it: fsync
 * and full_page_writes off (speed), initdb without --data-checksums, no WAL archive, logging
 * left at PostgreSQL's defaults, no passwordcheck/auth_delay/pgaudit, a socket every local user
 * may open, and its rules: every role to every database from a network, superusers by password.
 */
const HARNESS_FINDINGS = [
  "authentication/auth-delay",
  "hba/all-all-from-network",
  "hba/superuser-without-cert",
  "host/unix-socket-permissions",
  "integrity/archiving-off",
  "integrity/data-checksums-off",
  "integrity/fsync-off",
  "integrity/full-page-writes-off",
  "logging/log-disconnections",
  "logging/log-line-prefix",
  "logging/log-replication-commands",
  "logging/log-statement-none",
  "logging/logging-collector-off",
  "logging/pgaudit-absent",
  "passwords/no-strength-check",
];

/**
 * Each planted weakness and the findings it must make, new against the baseline. The trust rule
 * (host all all 10.9.9.0/24 trust) is four true findings: trust from a network, every role to
 * every database from it, superusers in without a certificate, and TCP without TLS from it.
 */
const PLANTED = [
  "hba/all-all-from-network",
  "hba/superuser-without-cert",
  "hba/trust-from-network",
  "logging/log-connections",
  "passwords/md5-verifiers",
  "passwords/weak-password",
  "roles/public-schema-create",
  "roles/security-definer-public",
  "tls/certificate-expiring",
  "tls/host-rules-allow-plaintext",
];

let audited: AuditedCluster;
let work: string;
let pki: string;
let baselineFile: string;

const ids = (findings: readonly Finding[]) => [...new Set(findings.map((finding) => finding.id))].sort();

async function auditAgainstBaseline(): Promise<{ report: BaselineJson; fresh: Finding[] }> {
  const { report } = await audited.audit(["--baseline", baselineFile, "--fail-on", "critical"]);
  const full = report as BaselineJson;
  const fresh = full.findings.filter((finding) => full.baseline.new.includes(finding.fingerprint));
  return { report: full, fresh };
}

/** `pgwarden` on the test's PKI; must succeed. */
async function cli(args: readonly string[]): Promise<void> {
  const result = await pgwarden([...args, "--pki", pki]);
  assert.equal(result.code, 0, `pgwarden ${args.join(" ")}: ${result.stderr}`);
}

/** Serves the PKI's current weak-db certificate and key, the CA as ssl_ca_file (what pg tls --reload does for the harness's files). */
async function serveCurrent(): Promise<void> {
  const [certPem, keyPem, caPem] = await Promise.all([
    readFile(join(pki, "server", "weak-db.crt"), "utf8"),
    readFile(join(pki, "server", "weak-db.key"), "utf8"),
    readFile(join(pki, "ca", "ca.crt"), "utf8"),
  ]);
  await audited.cluster.writeTls({ certPem, keyPem, caPem });
  await audited.cluster.reload();
}

async function served(days: string): Promise<void> {
  await cli([
    "cert",
    "issue",
    "--profile",
    "server",
    "--cn",
    "weak-db",
    "--san",
    "127.0.0.1",
    "--days",
    days,
    "--force",
  ]);
  await serveCurrent();
}

/** The fix of the one finding with this id, as printed. */
function fixOf(findings: readonly Finding[], id: string): string {
  const matching = findings.filter((finding) => finding.id === id);
  assert.equal(matching.length, 1, `one ${id} finding: ${JSON.stringify(matching)}`);
  return (matching[0] as Finding).fix;
}

/** A printed password fix, done as it says: `pgwarden password hash` on a new password, then its ALTER ROLE. */
async function applyPasswordFix(fix: string): Promise<void> {
  const match =
    /^pgwarden password hash --user (\S+) < new-password\.txt .*then: (ALTER ROLE .* PASSWORD )'<verifier>';$/.exec(
      fix,
    );
  assert.ok(match, fix);
  const [, user, alter] = match as unknown as [string, string, string];
  const hashed = await pgwarden(["password", "hash", "--user", user], {
    input: `${randomBytes(16).toString("hex")}\n`,
  });
  assert.equal(hashed.code, 0, hashed.stderr);
  await audited.cluster.sql(`${alter}'${hashed.stdout.trim()}';`);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "pgwarden-audit-weak-"));
  pki = join(work, "pki");
  baselineFile = join(work, "baseline.json");
  await cli(["ca", "init", "--no-passphrase"]);
  audited = await startAuditedCluster({
    hba: ["host all all 127.0.0.1/32 scram-sha-256", "hostssl all all 10.1.2.0/24 scram-sha-256"],
  });
  await served("365");
  const { report } = await audited.audit(["--fail-on", "critical"]);
  assert.deepEqual(ids(report.findings), HARNESS_FINDINGS, "the harness's own weaknesses, each explained above");
  await writeFile(baselineFile, JSON.stringify(report));
});

after(async () => {
  await audited?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test("each planted weakness is reported as new, and nothing else is", async () => {
  await audited.cluster.writeHba([
    "host all all 127.0.0.1/32 scram-sha-256",
    "hostssl all all 10.1.2.0/24 scram-sha-256",
    "host all all 10.9.9.0/24 trust",
  ]);
  await audited.cluster.sql(
    [
      "SET password_encryption = 'md5'",
      `CREATE ROLE app_md5 LOGIN CONNECTION LIMIT 5 PASSWORD '${randomBytes(16).toString("hex")}'`,
      "RESET password_encryption",
      `CREATE ROLE dbuser_dba LOGIN CONNECTION LIMIT 5 PASSWORD '${scramVerifier("DBUser.DBA")}'`,
      "GRANT CREATE ON SCHEMA public TO PUBLIC",
      "CREATE FUNCTION public.whoami() RETURNS text LANGUAGE sql SECURITY DEFINER AS 'SELECT current_user'",
      "ALTER SYSTEM SET log_connections = off",
    ].join(";\n"),
  );
  await audited.cluster.reload();
  await served("10");

  const { report, fresh } = await auditAgainstBaseline();
  assert.deepEqual(ids(fresh), PLANTED, "the planted findings and no other new one");
  assert.deepEqual(ids(report.findings), [...new Set([...HARNESS_FINDINGS, ...PLANTED])].sort());
  const weak = fresh.find((finding) => finding.id === "passwords/weak-password");
  assert.equal(weak?.subject, "dbuser_dba");
  assert.doesNotMatch(JSON.stringify(report), /DBUser\.DBA/, "a found password is never in the report");
  assert.equal(report.soc2.find((row) => row.control === "CC6.1")?.status, "not met");

  // Every printed fix, applied as printed: the planted findings are gone on the next run.
  await audited.cluster.sql(fixOf(fresh, "logging/log-connections"));
  await audited.cluster.sql(fixOf(fresh, "roles/public-schema-create"));
  const definer = fixOf(fresh, "roles/security-definer-public");
  assert.match(definer, /SET search_path|REVOKE EXECUTE/);
  await audited.cluster.sql(definer);
  await applyPasswordFix(fixOf(fresh, "passwords/weak-password"));
  await audited.cluster.sql("SET password_encryption = 'scram-sha-256'");
  await applyPasswordFix(fixOf(fresh, "passwords/md5-verifiers"));
  const trust = fresh.find((finding) => finding.id === "hba/trust-from-network") as Finding;
  assert.match(trust.fix, /scram-sha-256|cert/, trust.fix);
  // Its four findings' fixes together (a method other than trust, hostssl, not every role, not superusers): the line goes.
  await audited.cluster.writeHba([
    "host all all 127.0.0.1/32 scram-sha-256",
    "hostssl all all 10.1.2.0/24 scram-sha-256",
  ]);
  assert.match(fixOf(fresh, "tls/certificate-expiring"), /^pgwarden cert renew --cn CN, then pgwarden pg tls/);
  await cli(["cert", "renew", "--cn", "weak-db", "--days", "365"]);
  await serveCurrent();

  const fixed = await auditAgainstBaseline();
  assert.deepEqual(ids(fixed.fresh), [], "nothing new once every fix is applied");
  assert.deepEqual(ids(fixed.report.findings), HARNESS_FINDINGS);
});

test("ssl off is reported, with the hostssl rule it leaves dead, and the fix brings TLS back", async () => {
  await audited.cluster.sql("ALTER SYSTEM SET ssl = off");
  await audited.cluster.reload();
  const { fresh } = await auditAgainstBaseline();
  assert.deepEqual(ids(fresh), ["hba/hostssl-while-ssl-off", "tls/ssl-off"]);
  assert.match(fixOf(fresh, "tls/ssl-off"), /ssl = on/);
  await audited.cluster.sql("ALTER SYSTEM SET ssl = on");
  await audited.cluster.reload();
  const fixed = await auditAgainstBaseline();
  assert.deepEqual(ids(fixed.fresh), []);
});
