import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import pg from "pg";

import { HBA_RULES_GRANT } from "../src/audit/facts/hba-rules.js";
import { scramVerifier } from "../src/roles/scram.js";
import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { pgwarden, tempDir } from "./support/cli.js";

/** The checks that read the HBA rules the server loaded (pg_hba_file_rules). */
const HBA_CHECKS = new Set([
  "authentication/hba-lint",
  "authentication/trust-on-host",
  "tls/host-rules-allow-plaintext",
  "tls/tcp-rules-without-tls",
  "tls/crl-missing",
  "tls/cert-rules-without-ca",
]);

/** Runs `work` while another session holds an ACCESS EXCLUSIVE lock on the catalog `table`, released after. */
async function holdingLock(audited: AuditedCluster, table: string, work: () => Promise<void>): Promise<void> {
  const holder = new pg.Client({
    host: "127.0.0.1",
    port: audited.cluster.port,
    user: "auditor",
    database: "postgres",
    password: audited.env.PGPASSWORD,
  });
  await holder.connect();
  try {
    await holder.query("BEGIN");
    await holder.query(`LOCK pg_catalog.${table} IN ACCESS EXCLUSIVE MODE`);
    await work();
  } finally {
    await holder.query("ROLLBACK").catch(() => undefined);
    await holder.end();
  }
}

describe("the audit is bounded: no hang, no crash on a privilege or a lock", () => {
  let audited: AuditedCluster;
  let monitorPassword: string;
  let monitorConn: string;

  before(async () => {
    audited = await startAuditedCluster({ sslmode: "disable" });
    monitorPassword = randomBytes(12).toString("hex");
    await audited.cluster.sql(
      `CREATE ROLE mon LOGIN PASSWORD '${scramVerifier(monitorPassword)}'; GRANT pg_monitor TO mon;`,
    );
    monitorConn = audited.conn.replace("user=auditor", "user=mon");
  });
  after(async () => {
    await audited?.stop();
  });

  const auditAsMonitor = async (): Promise<AuditJson> => {
    const result = await pgwarden(["audit", "--conn", monitorConn, "--format", "json"], {
      env: { PGPASSWORD: monitorPassword },
    });
    assert.ok(result.code === 0 || result.code === 1, `audit exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as AuditJson;
  };

  test("a server that accepts TCP and never answers: the report is printed and the process exits (H3)", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      // The child is killed at 30 s: before the fix it printed its report after 10 s and never exited.
      const result = await pgwarden(
        ["audit", "--conn", `host=127.0.0.1 port=${port} user=auditor dbname=postgres`, "--format", "json"],
        { timeoutMs: 30_000 },
      );
      const seconds = (Date.now() - started) / 1000;
      assert.equal(result.code, 1, result.stderr);
      assert.ok(seconds < 20, `exited after ${seconds} s`);
      const report = JSON.parse(result.stdout) as AuditJson;
      assert.equal(report.targets[0]?.reachable, false);
      assert.match(report.targets[0]?.error ?? "", /no answer within 10 s/);
      assert.deepEqual(
        report.findings.map((finding) => finding.id),
        ["target/unreachable"],
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("a lock held on pg_auth_members: the audit finishes, the checks needing the roles are not run, saying why (H3)", async () => {
    await holdingLock(audited, "pg_auth_members", async () => {
      const started = Date.now();
      const { report } = await audited.audit();
      const seconds = (Date.now() - started) / 1000;
      assert.ok(seconds < 30, `took ${seconds} s`);
      assert.equal(report.targets[0]?.reachable, true);
      const locked = report.notRun.filter((entry) => /another session holds a lock/.test(entry.reason));
      assert.ok(locked.length > 0, JSON.stringify(report.notRun));
      assert.ok(
        locked.every((entry) => entry.grant === undefined),
        "a lock is no missing privilege",
      );
      assert.ok(
        locked.some((entry) => entry.check.startsWith("roles/")),
        JSON.stringify(locked),
      );
    });
  });

  test("a lock held on pg_proc (which resolving any function call reads): the audit still ends, bounded from its first statement", async () => {
    await holdingLock(audited, "pg_proc", async () => {
      const started = Date.now();
      const result = await pgwarden(["audit", "--conn", audited.conn, "--format", "json"], {
        env: audited.env,
        timeoutMs: 60_000,
      });
      const seconds = (Date.now() - started) / 1000;
      assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.stderr}`);
      assert.ok(seconds < 30, `took ${seconds} s`);
      const report = JSON.parse(result.stdout) as AuditJson;
      const said = [report.targets[0]?.error ?? "", ...report.notRun.map((entry) => entry.reason)].join("\n");
      assert.match(said, /another session holds a lock the audit needs|no answer within/);
    });
  });

  test("a lock held on pg_authid (which every login reads): the audit gives up on the login and exits (H3)", async () => {
    await holdingLock(audited, "pg_authid", async () => {
      const started = Date.now();
      const result = await pgwarden(["audit", "--conn", audited.conn, "--format", "json"], {
        env: audited.env,
        timeoutMs: 40_000,
      });
      const seconds = (Date.now() - started) / 1000;
      assert.equal(result.code, 1, result.stderr);
      assert.ok(seconds < 25, `exited after ${seconds} s`);
      const report = JSON.parse(result.stdout) as AuditJson;
      assert.equal(report.targets[0]?.reachable, false);
      assert.match(report.targets[0]?.error ?? "", /no answer within 10 s/);
    });
  });

  test("EXECUTE on pg_show_all_file_settings() alone (the old advice): no crash, the check not run with both grants (H4)", async () => {
    await audited.cluster.sql("GRANT EXECUTE ON FUNCTION pg_catalog.pg_show_all_file_settings() TO mon;");
    try {
      const report = await auditAsMonitor();
      const entry = report.notRun.find((item) => item.check === "integrity/file-settings-errors");
      assert.ok(entry, JSON.stringify(report.notRun));
      assert.match(entry.grant ?? "", /GRANT SELECT ON pg_catalog\.pg_file_settings TO <auditor>/);
      assert.match(
        entry.grant ?? "",
        /GRANT EXECUTE ON FUNCTION pg_catalog\.pg_show_all_file_settings\(\) TO <auditor>/,
      );

      // Exactly what the advice says, pasted: the check then runs.
      await audited.cluster.sql((entry.grant ?? "").replaceAll("<auditor>", "mon"));
      const after = await auditAsMonitor();
      assert.ok(
        !after.notRun.some((item) => item.check === "integrity/file-settings-errors"),
        JSON.stringify(after.notRun),
      );
      assert.ok(after.checks.some((item) => item.check === "integrity/file-settings-errors"));
    } finally {
      await audited.cluster.sql(
        "REVOKE SELECT ON pg_catalog.pg_file_settings FROM mon; " +
          "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_show_all_file_settings() FROM mon;",
      );
    }
  });

  test("the HBA checks' advice, granted to a pg_monitor role exactly as printed, makes them run (M1)", async () => {
    const before = await auditAsMonitor();
    const hba = before.notRun.filter((entry) => HBA_CHECKS.has(entry.check));
    assert.deepEqual(hba.map((entry) => entry.check).sort(), [...HBA_CHECKS].sort(), JSON.stringify(before.notRun));
    for (const entry of hba) assert.equal(entry.grant, HBA_RULES_GRANT);

    // EXECUTE alone (the old advice) is not enough on PostgreSQL 15.
    await audited.cluster.sql("GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO mon;");
    const executeOnly = await auditAsMonitor();
    assert.deepEqual(
      executeOnly.notRun.filter((entry) => HBA_CHECKS.has(entry.check)).map((entry) => entry.check),
      hba.map((entry) => entry.check),
    );

    await audited.cluster.sql(HBA_RULES_GRANT.replaceAll("<auditor>", "mon"));
    const granted = await auditAsMonitor();
    assert.deepEqual(
      granted.notRun.filter((entry) => HBA_CHECKS.has(entry.check)),
      [],
    );
    for (const entry of hba)
      assert.ok(
        granted.checks.some((run) => run.check === entry.check),
        `${entry.check} ran`,
      );
  });
});

test("--baseline: a server unreachable in the baseline and still now fails --fail-on high (a gate never passes it) (L8)", async () => {
  const closed: Server = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise((resolve) => closed.close(resolve));
  const { dir, cleanup } = await tempDir("pgwarden-l8-");
  try {
    const args = ["audit", "--conn", `host=127.0.0.1 port=${port} user=auditor dbname=postgres`, "--format", "json"];
    const first = await pgwarden(args);
    assert.equal(first.code, 1, first.stderr);
    const baseline = join(dir, "audit.json");
    await writeFile(baseline, first.stdout);
    const again = await pgwarden([...args, "--baseline", baseline, "--fail-on", "high"]);
    const report = JSON.parse(again.stdout) as AuditJson & { baseline: { new: string[]; unchanged: string[] } };
    assert.deepEqual(report.baseline.new, []);
    assert.equal(report.baseline.unchanged.length, 1);
    assert.equal(again.code, 1, "the unchanged target/unreachable still counts");
  } finally {
    await cleanup();
  }
});
