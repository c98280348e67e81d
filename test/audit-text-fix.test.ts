import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { type AuditedCluster, startAuditedCluster } from "./support/audit-run.js";
import { pgwarden } from "./support/cli.js";

/*
 * The text report's fixes, pasted into a real psql as a DBA copies them off the terminal: a
 * multi-line fix (\connect, then SQL) does its job; a fix naming a role with a newline in its
 * name is not printed broken, and the JSON report's does its job.
 */

const ROLE = "evil\nrole";

let audited: AuditedCluster;
before(async () => {
  audited = await startAuditedCluster();
  await audited.cluster.sql(
    `GRANT CREATE ON SCHEMA public TO PUBLIC; CREATE ROLE "${ROLE}" LOGIN; GRANT pg_read_server_files TO "${ROLE}";`,
  );
});
after(async () => {
  await audited?.stop();
});

async function textReport(): Promise<string> {
  const result = await pgwarden(["audit", "--conn", audited.conn, "--format", "text"], { env: audited.env });
  assert.ok(result.code === 0 || result.code === 1, `audit exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** The fix of the finding whose line holds `id`, as it is on the terminal: from after `fix: ` to its last line. */
function pastedFix(text: string, id: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.includes(` ${id} on `));
  assert.ok(start >= 0, `${id} in the text report`);
  const at = lines.findIndex((line, index) => index > start && line.trimStart().startsWith("fix: "));
  const fix = [(lines[at] ?? "").replace(/^ *fix: /, "")];
  for (const line of lines.slice(at + 1)) {
    if (!/^ {16}\S/.test(line)) break;
    fix.push(line);
  }
  return fix.join("\n");
}

const publicMayCreate = () =>
  audited.cluster.sql(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
       WHERE n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'CREATE')`,
  );

test("a multi-line fix copied off the text report runs in psql as printed and removes its finding", async () => {
  const text = await textReport();
  const fix = pastedFix(text, "roles/public-schema-create");
  assert.match(fix, /^\\connect "postgres"\n {16}REVOKE CREATE ON SCHEMA "public" FROM PUBLIC;$/);
  assert.equal(await publicMayCreate(), "t");
  await audited.cluster.sql(fix);
  assert.equal(await publicMayCreate(), "f");
  assert.doesNotMatch(await textReport(), /roles\/public-schema-create/);
});

test("a fix naming a role with a newline is referred to --format json in text, and the JSON fix revokes the grant", async () => {
  const text = await textReport();
  assert.match(pastedFix(text, "roles/dangerous-predefined-members"), /^not shown here: .* see --format json$/);
  const { report } = await audited.audit();
  const finding = report.findings.find((each) => each.id === "roles/dangerous-predefined-members");
  assert.equal(finding?.fix, `REVOKE pg_read_server_files FROM "${ROLE}";`);
  await audited.cluster.sql(finding.fix);
  const member = `SELECT pg_has_role('${ROLE.replace(/'/g, "''")}', 'pg_read_server_files', 'MEMBER')`;
  assert.equal(await audited.cluster.sql(member), "f");
});
