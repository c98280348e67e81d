import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { type AuditTarget, targetName } from "../src/audit/audit-target.js";
import { PASSWORD_CHECKS } from "../src/audit/checks/passwords/index.js";
import { runAudit } from "../src/audit/run-audit.js";
import { loadInventory } from "../src/config/load-inventory.js";
import { quoteIdentifier } from "../src/core/identifier.js";
import { resolveConnection } from "../src/pg/conninfo/resolve.js";
import { scramVerifier } from "../src/roles/scram.js";
import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { pgwarden, tempDir } from "./support/cli.js";
import { emptyHome } from "./support/empty-home.js";
import { restartCluster } from "./support/pg-restart.js";

/* The passwords family on a real server: weak, legacy and stale secrets planted, each found, each printed fix applied. */

/** The family's findings, from the CLI's JSON or the library's report. */
const ours = <F extends { readonly id: string }>(report: { readonly findings: readonly F[] }): F[] =>
  report.findings.filter((finding) => finding.id.startsWith("passwords/"));
const pairs = (report: Pick<AuditJson, "findings">) =>
  ours(report)
    .map((finding) => `${finding.id} ${finding.subject}`)
    .sort();

const strong = () => randomBytes(18).toString("base64url");
/** The guessable passwords planted here: none may appear in any report. */
const PLANTED = ["DBUser.DBA", "qwerty", "Legacy-md5-password-8x"];

let server: AuditedCluster;

before(async () => {
  server = await startAuditedCluster();
  const role = (name: string, verifier: string, extra = "") =>
    `CREATE ROLE ${quoteIdentifier(name)} LOGIN CONNECTION LIMIT 10 PASSWORD '${verifier}'${extra};`;
  await server.cluster.sql(
    [
      role("dbuser_dba", scramVerifier("DBUser.DBA")),
      role("reporter", scramVerifier("qwerty")),
      role("fast", scramVerifier(strong(), { iterations: 1024 })),
      role("gone", scramVerifier(strong()), " VALID UNTIL '2020-01-01'"),
      // Test code only: the server hashes this one as md5, as a legacy client or an old pgwarden-less setup would.
      `SET password_encryption = md5; CREATE ROLE legacy LOGIN PASSWORD '${PLANTED[2]}'; RESET password_encryption;`,
      // Sound roles, so the password search works on about ten secrets, as a small cluster has.
      ...["dbuser_app", "dbuser_view", "dbuser_etl", "replicator"].map((name) => role(name, scramVerifier(strong()))),
    ].join("\n"),
  );
});

after(async () => {
  await server?.stop();
});

test("audit: planted weak, default, md5, few-iteration and expired passwords are each found (never shown), and their printed fixes clear them", async (t) => {
  const started = Date.now();
  const { report } = await server.audit();
  t.diagnostic(
    `audit of ${report.checks.length} checks on 11 roles with passwords: ${Date.now() - started} ms (CLI start included)`,
  );

  assert.deepEqual(pairs(report), [
    "passwords/expired-password gone",
    "passwords/low-iterations fast",
    "passwords/md5-verifiers legacy",
    `passwords/no-strength-check shared_preload_libraries`,
    "passwords/weak-password dbuser_dba",
    "passwords/weak-password reporter",
  ]);
  const text = JSON.stringify(report);
  for (const secret of PLANTED) assert.ok(!text.includes(secret), `the report holds a planted password`);
  const dba = ours(report).find((finding) => finding.subject === "dbuser_dba");
  assert.equal(dba?.severity, "critical");
  assert.match(dba?.message ?? "", /vendor default/);
  assert.deepEqual(ours(report).find((finding) => finding.id === "passwords/md5-verifiers")?.evidence, [
    { label: "role legacy", value: "LOGIN, secret md5" },
  ]);
  assert.equal(report.notRun.filter((entry) => entry.check.startsWith("passwords/")).length, 0);

  // Apply each printed fix: new passwords as SCRAM verifiers computed here, the role retired, passwordcheck preloaded.
  for (const finding of ours(report)) {
    const sql = finding.fix.includes("then: ") ? finding.fix.slice(finding.fix.indexOf("then: ") + 6) : finding.fix;
    await server.cluster.sql(sql.replace("'<verifier>'", `'${scramVerifier(strong())}'`));
  }
  await restartCluster(server.cluster);

  const fixed = (await server.audit()).report;
  assert.deepEqual(pairs(fixed), []);
  const ran = fixed.checks.filter((check) => check.check.startsWith("passwords/"));
  assert.ok(ran.length >= 5 && ran.every((check) => check.passed), JSON.stringify(ran));
});

test("audit: with an inventory that gives a role expire_in, a login role without VALID UNTIL is found, and its printed fix clears it", async () => {
  const dir = await tempDir("pgwarden-audit-passwords-");
  try {
    const file = join(dir.dir, "pigsty.yml");
    await writeFile(
      file,
      [
        "all:",
        "  children:",
        "    pg-test:",
        "      hosts:",
        "        127.0.0.1: { pg_seq: 1, pg_role: primary }",
        "      vars:",
        "        pg_cluster: pg-test",
        "        pg_users:",
        "          - { name: dbuser_app, expire_in: 30 }",
        "          - { name: dbuser_view }",
        "",
      ].join("\n"),
    );
    const inventory = await loadInventory(file);
    const connection = resolveConnection(server.conn, {
      env: { ...server.env, HOME: emptyHome() },
      source: "--conn",
    });
    const target: AuditTarget = {
      kind: "server",
      name: targetName(connection),
      connection,
      inventory: { inventory, file, cluster: "pg-test", host: "127.0.0.1" },
    };
    const audit = () => runAudit([target], { now: new Date(), checks: PASSWORD_CHECKS, version: "test" });
    const report = await audit();
    const found = ours(report).filter((finding) => finding.id === "passwords/no-expiry");
    assert.deepEqual(
      found.map((finding) => finding.subject),
      ["dbuser_app"],
    );
    const [finding] = found;
    assert.ok(finding);
    assert.match(finding.fix, /^ALTER ROLE "dbuser_app" VALID UNTIL '\d{4}-\d{2}-\d{2}';/);
    assert.deepEqual(finding.evidence[1]?.source, { file, line: 9 });
    await server.cluster.sql(finding.fix);
    assert.deepEqual(
      ours(await audit()).filter((entry) => entry.id === "passwords/no-expiry"),
      [],
    );
  } finally {
    await dir.cleanup();
  }
});

test("audit: a login that may not read pg_authid lists the password checks as not run, with the grant that would allow them", async () => {
  const password = strong();
  await server.cluster.sql(`CREATE ROLE watcher LOGIN IN ROLE pg_monitor PASSWORD '${scramVerifier(password)}'`);
  const result = await pgwarden(
    ["audit", "--conn", server.conn.replace("user=auditor", "user=watcher"), "--format", "json"],
    { env: { PGPASSWORD: password } },
  );
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const report = JSON.parse(result.stdout) as AuditJson;
  const notRun = report.notRun.filter((entry) => entry.check.startsWith("passwords/"));
  assert.deepEqual(notRun.map((entry) => entry.check).sort(), [
    "passwords/expired-password",
    "passwords/low-iterations",
    "passwords/md5-verifiers",
    "passwords/weak-password",
  ]);
  for (const entry of notRun)
    assert.equal(entry.grant, "log in as a superuser (pg_authid is readable by superusers only)");
  assert.ok(
    report.checks.some((check) => check.check === "passwords/no-strength-check"),
    "what pg_monitor may read still runs",
  );
});
