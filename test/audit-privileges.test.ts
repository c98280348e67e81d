import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";

import { scramVerifier } from "../src/roles/scram.js";
import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { pgwarden } from "./support/cli.js";

interface PrivilegeJson extends AuditJson {
  readonly notRun: readonly {
    readonly check: string;
    readonly target: string;
    readonly reason: string;
    readonly grant?: string;
  }[];
}

let audited: AuditedCluster;
const password = randomBytes(12).toString("hex");

before(async () => {
  audited = await startAuditedCluster({ settings: { log_connections: "off" } });
  // The same password for both, stored as a SCRAM verifier: no plaintext reaches the server.
  await audited.cluster.sql(`CREATE ROLE monitor LOGIN PASSWORD '${scramVerifier(password)}' IN ROLE pg_monitor`);
  await audited.cluster.sql(`CREATE ROLE nobody LOGIN PASSWORD '${scramVerifier(password)}'`);
});

after(async () => {
  await audited?.stop();
});

/** The audit as `user`, JSON; asserts it printed a report and did not end with exit 6 (privilege). */
async function auditAs(user: string, env: Record<string, string>): Promise<PrivilegeJson> {
  const conn = audited.conn.replace("user=auditor", `user=${user}`);
  const result = await pgwarden(["audit", "--conn", conn, "--format", "json", "--fail-on", "critical"], { env });
  assert.notEqual(result.code, 6, `the audit as ${user} must run, not stop at a privilege: ${result.stderr}`);
  assert.ok(result.code === 0 || result.code === 1, `audit as ${user} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as PrivilegeJson;
}

/** Each check the superuser's audit ran either ran for `report` or is listed as not run, with the grant that would allow it. */
function assertEveryCheckAccounted(superuser: PrivilegeJson, report: PrivilegeJson): void {
  const ran = new Set(report.checks.map((check) => check.check));
  const notRun = new Map(report.notRun.map((entry) => [entry.check, entry]));
  for (const check of new Set(superuser.checks.map((entry) => entry.check))) {
    if (ran.has(check)) continue;
    const missing = notRun.get(check);
    assert.ok(missing, `${check} ran for the superuser, so it either runs or is listed as not run`);
  }
  for (const entry of report.notRun)
    assert.ok(
      entry.grant !== undefined && entry.grant.length > 0,
      `${entry.check} not run (${entry.reason}) names the grant that would allow it`,
    );
}

test("with only pg_monitor the audit runs, and every check it could not run is listed with the grant that allows it", async () => {
  const superuser = await auditAs("auditor", audited.env);
  assert.equal(superuser.targets[0]?.superuser, true);
  assert.deepEqual(superuser.notRun, [], "a superuser runs every check that applies");
  const monitor = await auditAs("monitor", { PGPASSWORD: password });
  assert.equal(monitor.targets[0]?.reachable, true);
  assert.equal(monitor.targets[0]?.superuser, false);
  assertEveryCheckAccounted(superuser, monitor);
  // pg_monitor includes pg_read_all_settings: the settings' checks run, and see what the superuser sees.
  assert.ok(monitor.checks.some((check) => check.check === "tls/ssl-off"));
  assert.ok(monitor.findings.some((finding) => finding.id === "logging/log-connections"));
});

test("a login role with no grant at all: the audit still runs; the settings' checks are listed as not run with pg_read_all_settings", async () => {
  const superuser = await auditAs("auditor", audited.env);
  const nobody = await auditAs("nobody", { PGPASSWORD: password });
  assertEveryCheckAccounted(superuser, nobody);
  const sslOff = nobody.notRun.find((entry) => entry.check === "tls/ssl-off");
  assert.ok(sslOff, "tls/ssl-off needs the settings' files");
  assert.match(sslOff.grant ?? "", /GRANT pg_read_all_settings/);
  assert.ok(!nobody.findings.some((finding) => finding.id === "tls/ssl-off"), "a check not run finds nothing");
});
