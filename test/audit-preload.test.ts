import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { restartCluster } from "./support/pg-restart.js";

/*
 * The three checks that ask for a preloaded library (pgaudit, passwordcheck, auth_delay) on a real
 * PostgreSQL 15 that already preloads pg_stat_statements: their fixes, pasted one after another as
 * printed, leave one list the server restarts with, keeping pg_stat_statements.
 */

const PRELOAD_CHECKS = ["authentication/auth-delay", "logging/pgaudit-absent", "passwords/no-strength-check"];

let audited: AuditedCluster;
before(async () => {
  audited = await startAuditedCluster({ settings: { shared_preload_libraries: "pg_stat_statements" } });
});
after(async () => {
  await audited?.stop();
});

const preloadFindings = (report: AuditJson) =>
  report.findings.filter((finding) => PRELOAD_CHECKS.includes(finding.id)).sort((a, b) => a.id.localeCompare(b.id));

test("the three preload fixes, applied as printed one after another, restart the server with every library loaded", async () => {
  const { report } = await audited.audit();
  const found = preloadFindings(report);
  assert.deepEqual(
    found.map((finding) => finding.id),
    PRELOAD_CHECKS,
  );
  const statement =
    "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', 'pgaudit', 'passwordcheck', 'auth_delay';";
  for (const finding of found) {
    assert.ok(finding.fix.includes(statement), `${finding.id}: ${finding.fix}`);
    await audited.cluster.sql(finding.fix);
  }
  await restartCluster(audited.cluster);
  assert.equal(
    await audited.cluster.sql("SHOW shared_preload_libraries"),
    "pg_stat_statements, pgaudit, passwordcheck, auth_delay",
  );

  // pgaudit, loaded now, has pgaudit.log to set (its fix says so after the restart); the other two are done.
  const second = preloadFindings((await audited.audit()).report);
  assert.deepEqual(
    second.map((finding) => [finding.id, finding.subject]),
    [["logging/pgaudit-absent", "pgaudit.log"]],
  );
  await audited.cluster.sql(second[0]?.fix ?? "");
  assert.deepEqual(preloadFindings((await audited.audit()).report), []);
});
