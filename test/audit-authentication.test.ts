import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { pgwarden } from "./support/cli.js";
import { restartCluster } from "./support/pg-restart.js";

/* The authentication family on a real server: weaknesses planted, each found with evidence, each printed fix applied. */

type Finding = AuditJson["findings"][number] & { readonly source?: { readonly file: string; readonly line: number } };

const FAMILY = /^(authentication|hba)\//;

const ours = (report: AuditJson): Finding[] => report.findings.filter((finding) => FAMILY.test(finding.id));
const idsOf = (report: AuditJson) => [...new Set(ours(report).map((finding) => finding.id))].sort();
const one = (report: AuditJson, id: string): Finding => {
  const found = ours(report).filter((finding) => finding.id === id);
  assert.equal(found.length, 1, `one ${id} finding: ${JSON.stringify(ours(report), null, 1)}`);
  return found[0] as Finding;
};

/** Rules beyond the harness's `local all all peer`: trust from anywhere first, then the audit's own SCRAM login. */
const WEAK_HBA = [
  "host all app 127.0.0.1/32 trust",
  "host all all 0.0.0.0/0 trust",
  "host all all 127.0.0.1/32 scram-sha-256",
];
const SOUND_HBA = ["host all all 127.0.0.1/32 scram-sha-256"];

let server: AuditedCluster;

before(async () => {
  server = await startAuditedCluster({
    hba: WEAK_HBA,
    settings: { password_encryption: "md5", authentication_timeout: "5min" },
  });
  await server.cluster.sql("CREATE ROLE app LOGIN");
});

after(async () => {
  await server?.stop();
});

test("audit: planted authentication weaknesses are each found with evidence, equal hba lint --conn, and their printed fixes clear them", async () => {
  // A line the server cannot read, on disk but not loaded: pg_hba_file_rules reports it.
  await server.cluster.writeHba([...WEAK_HBA, "host all all 10.0.0.0/8 scram"]);
  const { report } = await server.audit();

  assert.deepEqual(idsOf(report), [
    "authentication/auth-delay",
    "authentication/authentication-timeout",
    "authentication/connection-limits",
    "authentication/password-encryption",
    "authentication/trust-on-host",
    "hba/all-all-from-network",
    "hba/parse-error",
    // Line 3 comes after trust from anywhere, which lets superusers in too.
    "hba/shadowed-rule",
    "hba/superuser-without-cert",
    "hba/trust-from-network",
    "hba/wide-address",
  ]);
  const trust = one(report, "hba/trust-from-network");
  assert.equal(trust.severity, "critical");
  assert.equal(trust.layer, "authentication");
  assert.match(trust.source?.file ?? "", /pg_hba\.conf$/);
  assert.equal(trust.source?.line, 3, "the harness's local line is line 1");
  assert.deepEqual(
    trust.evidence.map((item) => [item.label, item.value]),
    [["rule", "host all all 0.0.0.0/0 trust"]],
  );
  assert.match(one(report, "hba/parse-error").message, /invalid authentication method "scram"/);
  assert.equal(one(report, "hba/parse-error").source?.line, 5);
  const onHost = one(report, "authentication/trust-on-host");
  assert.equal(onHost.source?.line, 2);
  assert.equal(onHost.fix, "host all app 127.0.0.1/32 scram-sha-256  (in place of line 2)");
  assert.match(
    one(report, "authentication/password-encryption").evidence[0]?.value ?? "",
    /^md5 \(configuration file\)$/,
  );
  assert.match(one(report, "authentication/authentication-timeout").evidence[0]?.value ?? "", /^300s/);
  assert.equal(one(report, "authentication/connection-limits").subject, "app");

  // The same rules through hba lint --conn: the same checks on the same lines.
  const lint = await pgwarden(["hba", "lint", "--conn", server.conn, "--format", "json", "--fail-on", "critical"], {
    env: server.env,
  });
  assert.ok(lint.code === 0 || lint.code === 1, lint.stderr);
  const linted = (JSON.parse(lint.stdout) as { findings: { id: string; source: { line: number } }[] }).findings;
  const key = (id: string, line: number | undefined) => `${id}@${line}`;
  assert.deepEqual(
    ours(report)
      .filter((finding) => finding.id.startsWith("hba/"))
      .map((finding) => key(finding.id, finding.source?.line))
      .sort(),
    linted.map((finding) => key(`hba/${finding.id}`, finding.source.line)).sort(),
  );

  // Apply each printed fix: SQL through psql as the superuser, the rules rewritten as lint says, a restart for the preload.
  for (const id of [
    "authentication/password-encryption",
    "authentication/authentication-timeout",
    "authentication/connection-limits",
  ])
    await server.cluster.sql(one(report, id).fix);
  const delay = one(report, "authentication/auth-delay").fix;
  assert.match(
    delay,
    /^LOAD 'auth_delay'; ALTER SYSTEM SET shared_preload_libraries = 'pgaudit', 'passwordcheck', 'auth_delay'; ALTER SYSTEM SET auth_delay.milliseconds = '500';/,
  );
  await server.cluster.sql(delay);
  // trust-from-network's fix: "narrow the rule to local/127.0.0.1/32"; parse-error's: "correct the line"; the wide rules go with them.
  assert.match(trust.fix, /narrow the rule to local\/127\.0\.0\.1\/32/);
  // trust-on-host's fix is the line to put in place of its own; the rest as SOUND_HBA.
  await server.cluster.writeHba([onHost.fix.replace(/ {2}\(in place of line 2\)$/, ""), ...SOUND_HBA]);
  await restartCluster(server.cluster);

  const fixed = (await server.audit()).report;
  assert.deepEqual(idsOf(fixed), [], JSON.stringify(ours(fixed), null, 1));
  assert.ok(
    fixed.checks.filter((check) => FAMILY.test(check.check)).every((check) => check.passed),
    "every check of the family ran and passed",
  );
  assert.equal(fixed.checks.filter((check) => FAMILY.test(check.check)).length, 6);
});
