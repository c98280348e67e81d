import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, chmod, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";

import { scramVerifier } from "../src/roles/scram.js";
import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { pgwarden } from "./support/cli.js";
import { findPgBinDir, runClient } from "./support/pg-cluster.js";

const FAMILIES = /^(logging|integrity|host)\//;

/** Weaknesses planted through postgresql.conf (the harness's include file): file:line evidence for each. */
const PLANTED_SETTINGS: Readonly<Record<string, string>> = {
  log_connections: "off",
  log_line_prefix: "%m [%p] ",
  log_error_verbosity: "terse",
  log_min_messages: "error",
  debug_print_parse: "on",
  log_timezone: "Europe/Paris",
};

/**
 * What the planted cluster must show, and nothing else of these families: the settings above,
 * the harness's own weak defaults (fsync and full_page_writes off, no logging collector), the
 * server's defaults that pgwarden reports (log_statement none, no disconnection or replication
 * logging, no archiving, no pgaudit, a 0777 socket), initdb's default (no checksums), an error
 * line in an included file, and PGDATA 0750 with pg_hba.conf 0644 (seen with --pgdata).
 */
const PLANTED = [
  "host/hba-file-mode",
  "host/pgdata-mode",
  "host/unix-socket-permissions",
  "integrity/archiving-off",
  "integrity/data-checksums-off",
  "integrity/file-settings-errors",
  "integrity/fsync-off",
  "integrity/full-page-writes-off",
  "logging/debug-print",
  "logging/log-connections",
  "logging/log-disconnections",
  "logging/log-error-verbosity",
  "logging/log-line-prefix",
  "logging/log-min-messages",
  "logging/log-replication-commands",
  "logging/log-statement-none",
  "logging/log-timezone",
  "logging/logging-collector-off",
  "logging/pgaudit-absent",
];

const run = promisify(execFile);

function familyFindings(report: AuditJson): AuditJson["findings"] {
  return report.findings.filter((finding) => FAMILIES.test(finding.id));
}

function familyIds(report: AuditJson): string[] {
  return [...new Set(familyFindings(report).map((finding) => finding.id))].sort();
}

function onlyFinding(report: AuditJson, id: string): AuditJson["findings"][number] {
  const found = report.findings.filter((finding) => finding.id === id);
  assert.equal(found.length, 1, `${id}: ${JSON.stringify(found)}`);
  return found[0] as AuditJson["findings"][number];
}

/** Runs a server program (pg_ctl, pg_checksums) as the server's OS user, as the harness does. */
async function asServer(audited: AuditedCluster, program: string, args: readonly string[]): Promise<void> {
  const bin = join(findPgBinDir(), program);
  const { cluster } = audited;
  const result =
    cluster.osUser === "postgres" && process.getuid?.() === 0
      ? await runClient("runuser", ["-u", "postgres", "--", bin, ...args], { cwd: cluster.baseDir, timeoutMs: 90_000 })
      : await runClient(bin, [...args], { cwd: cluster.baseDir, timeoutMs: 90_000 });
  assert.equal(result.code, 0, `${program} ${args.join(" ")}: ${result.stderr}${result.stdout}`);
}

function pgCtl(audited: AuditedCluster, action: "stop" | "start"): Promise<void> {
  const { dataDir, logFile } = audited.cluster;
  const args = action === "stop" ? ["-m", "fast"] : ["-l", logFile];
  return asServer(audited, "pg_ctl", ["-D", dataDir, "-w", "-t", "60", action, ...args]);
}

/** Applies a printed SQL fix as the superuser, through psql, as a DBA would paste it. */
async function applySql(audited: AuditedCluster, fix: string): Promise<void> {
  assert.match(fix, /^(ALTER SYSTEM|SELECT)/, `not a SQL fix: ${fix}`);
  await audited.cluster.sql(fix);
}

async function waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await probe())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("audit: logging, integrity and host checks on a real cluster", () => {
  let audited: AuditedCluster;
  let planted: string;

  before(async () => {
    audited = await startAuditedCluster({ settings: PLANTED_SETTINGS });
    const { dataDir } = audited.cluster;
    // An included file with a typo the server rejects (pg_file_settings re-reads the files on every query).
    planted = join(dataDir, "planted.conf");
    await writeFile(planted, "# planted by test/audit-logging.test.ts\nwork_mme = '4MB'\n");
    await chmod(planted, 0o644);
    await appendFile(join(dataDir, "postgresql.conf"), "include = 'planted.conf'\n");
    await chmod(dataDir, 0o750);
    await chmod(join(dataDir, "pg_hba.conf"), 0o644);
  });

  after(async () => {
    await audited?.stop();
  });

  test("every planted weakness is reported with its evidence, and nothing else of these families", async () => {
    const { report } = await audited.audit(["--pgdata", audited.cluster.dataDir]);
    assert.deepEqual(familyIds(report), PLANTED);
    const prefix = onlyFinding(report, "logging/log-line-prefix");
    assert.match(prefix.evidence[0]?.value ?? "", /^%m \[%p\]  \(configuration file\)$/);
    const fileError = onlyFinding(report, "integrity/file-settings-errors");
    assert.equal(fileError.subject, `${planted}:2`);
    assert.match(fileError.message, /work_mme: unrecognized configuration parameter/);
    assert.match(onlyFinding(report, "host/pgdata-mode").message, /mode 0750: group gid \d+ can read/);
    assert.equal(onlyFinding(report, "host/pgdata-mode").severity, "low");
    assert.match(onlyFinding(report, "host/hba-file-mode").message, /mode 0644: every OS user can read it/);
    assert.equal(onlyFinding(report, "integrity/fsync-off").severity, "high");
  });

  test("without --pgdata the host file checks are skipped, not listed as not run", async () => {
    const { report } = await audited.audit();
    assert.ok(!familyIds(report).includes("host/pgdata-mode"));
    assert.ok(!familyIds(report).includes("host/hba-file-mode"));
    assert.ok(!report.notRun.some((entry) => entry.check.startsWith("host/")), JSON.stringify(report.notRun));
  });

  test("a pg_monitor login runs every check of these families but file-settings-errors, listed with its grant", async () => {
    const password = randomBytes(12).toString("hex");
    await audited.cluster.sql(
      `CREATE ROLE monitor LOGIN PASSWORD '${scramVerifier(password)}'; GRANT pg_monitor TO monitor;`,
    );
    const conn = audited.conn.replace("user=auditor", "user=monitor");
    const result = await pgwarden(["audit", "--conn", conn, "--format", "json", "--pgdata", audited.cluster.dataDir], {
      env: { PGPASSWORD: password },
    });
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    const report = JSON.parse(result.stdout) as AuditJson;
    const notRun = report.notRun.filter((entry) => FAMILIES.test(entry.check));
    assert.deepEqual(
      notRun.map((entry) => [entry.check, entry.grant]),
      [
        [
          "integrity/file-settings-errors",
          // Both: PostgreSQL 15 refuses the view with EXECUTE alone (the old expectation named only that).
          "GRANT SELECT ON pg_catalog.pg_file_settings TO <auditor>; " +
            "GRANT EXECUTE ON FUNCTION pg_catalog.pg_show_all_file_settings() TO <auditor>;",
        ],
      ],
    );
    assert.deepEqual(
      familyIds(report),
      PLANTED.filter((id) => id !== "integrity/file-settings-errors"),
    );
  });

  test("a --pgdata of another cluster is refused: the host file checks are listed as not run, with the reason", async () => {
    const other = await mkdtemp(join(tmpdir(), "pgwarden-other-pgdata-"));
    try {
      await mkdir(join(other, "global"));
      await writeFile(join(other, "global", "pg_control"), randomBytes(8192));
      const { report } = await audited.audit(["--pgdata", other]);
      const notRun = report.notRun.filter((entry) => entry.check.startsWith("host/"));
      assert.deepEqual(notRun.map((entry) => entry.check).sort(), [
        "host/hba-file-mode",
        "host/pgdata-mode",
        "host/pgdata-symlinks",
      ]);
      for (const entry of notRun) assert.match(entry.reason, /belongs to another cluster \(system identifier/);
      assert.ok(!familyIds(report).includes("host/pgdata-mode"));
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  test("applying each printed fix (SQL, chmod, pg_checksums) leaves no finding of these families", async () => {
    const { cluster } = audited;
    const pgaudit = join(findPgBinDir(), "..", "lib", "pgaudit.so");
    assert.ok(
      existsSync(pgaudit),
      `${pgaudit} is missing: bash scripts/setup.sh --tests installs postgresql-15-pgaudit`,
    );
    const { report } = await audited.audit(["--pgdata", cluster.dataDir]);
    // archiving-off's fix: the directory the DBA chooses in place of /path/to/archive, made by its command, then the SQL.
    const archiving = onlyFinding(report, "integrity/archiving-off").fix.replaceAll(
      "/path/to/archive",
      join(cluster.baseDir, "wal"),
    );
    const [makeArchive, archiveSql] = archiving.split(", then: ");
    assert.ok(makeArchive && archiveSql, archiving);
    await run("sh", ["-c", makeArchive.replace(/ \(as root.*$/, "")]);
    await applySql(audited, archiveSql);
    for (const finding of familyFindings(report)) {
      if (finding.fix.startsWith("ALTER SYSTEM")) await applySql(audited, finding.fix);
      else if (finding.fix.startsWith("chmod ")) await run("sh", ["-c", finding.fix]);
    }
    // "correct the line named in the evidence": the bad line goes.
    const text = await readFile(planted, "utf8");
    await writeFile(planted, text.replace("work_mme = '4MB'\n", ""));
    // data-checksums-off's fix: stop, pg_checksums --enable, start (a restart the other fixes need too).
    assert.match(onlyFinding(report, "integrity/data-checksums-off").fix, /pg_checksums --enable -D <PGDATA>/);
    await pgCtl(audited, "stop");
    await asServer(audited, "pg_checksums", ["--enable", "-D", cluster.dataDir]);
    await pgCtl(audited, "start");
    // As archiving-off's fix says to check: after a WAL switch, pg_stat_archiver counts WAL archived, none failed.
    await cluster.sql("CREATE TABLE archived_filler AS SELECT 1 AS n; SELECT pg_switch_wal();");
    await waitFor(
      "WAL archived by the printed archive_command",
      async () => (await cluster.sql("SELECT archived_count > 0 AND failed_count = 0 FROM pg_stat_archiver")) === "t",
    );

    // Two findings follow from the fixes: the logging collector now writes files, to log_directory 'log' (the
    // default), inside PGDATA; and pgaudit, now loaded, has pgaudit.log to set, which only a loaded pgaudit knows.
    const second = (await audited.audit(["--pgdata", cluster.dataDir])).report;
    assert.deepEqual(familyIds(second), ["host/log-directory-in-pgdata", "logging/pgaudit-absent"]);
    assert.equal(onlyFinding(second, "logging/pgaudit-absent").subject, "pgaudit.log");
    // log-directory-in-pgdata's fix: make /var/log/postgresql for PGDATA's owner when it is missing (a shell command), then SQL.
    const logDirectory = onlyFinding(second, "host/log-directory-in-pgdata").fix;
    const [shell, sql] = logDirectory.split(", then: ");
    assert.ok(shell && sql, logDirectory);
    const logsBefore = new Set(await readdir("/var/log/postgresql").catch(() => []));
    await run("sh", ["-c", shell.replace(/ \(as root.*$/, "")]);
    for (const finding of familyFindings(second))
      await applySql(audited, finding.id === "host/log-directory-in-pgdata" ? sql : finding.fix);

    const clean = (await audited.audit(["--pgdata", cluster.dataDir])).report;
    assert.deepEqual(familyFindings(clean), []);
    // The server logs there now: it moves to the test's own directory (outside PGDATA), and its files there go.
    await cluster.sql(`ALTER SYSTEM SET log_directory = '${cluster.baseDir}'; SELECT pg_reload_conf();`);
    for (const file of await readdir("/var/log/postgresql"))
      if (!logsBefore.has(file) && /^postgresql-[\d-]+_\d+\.log$/.test(file))
        await rm(join("/var/log/postgresql", file));
    assert.equal((await cluster.sql("SHOW data_checksums")).trim(), "on");
    assert.match(await cluster.sql("SHOW shared_preload_libraries"), /pgaudit/);

    // A change waiting for a restart: pg_file_settings gives it an error too, but it is no mistake.
    await writeFile(planted, "max_connections = '80'\n");
    const pending = await cluster.sql(`SELECT error FROM pg_file_settings WHERE sourcefile = '${planted}'`);
    assert.equal(pending, "setting could not be applied");
    assert.deepEqual(familyFindings((await audited.audit()).report), []);
  });

  test("archiving that fails is reported, and stops being reported once it works", async () => {
    const { cluster } = audited;
    // An archive destination that does not exist: cp fails (exit 1), and pg_stat_archiver counts it.
    const archive = join(cluster.baseDir, "archive");
    await cluster.sql(`ALTER SYSTEM SET archive_command = 'cp %p ${archive}/%f'; SELECT pg_reload_conf();`);
    await cluster.sql("CREATE TABLE wal_filler AS SELECT generate_series(1, 1000) AS n; SELECT pg_switch_wal();");
    await waitFor(
      "a failed archive attempt",
      async () => (await cluster.sql("SELECT failed_count > 0 FROM pg_stat_archiver")) === "t",
    );
    const failing = (await audited.audit()).report;
    assert.deepEqual(familyIds(failing), ["integrity/archiving-failing"]);
    assert.match(onlyFinding(failing, "integrity/archiving-failing").message, /last WAL archiving attempt failed/);

    // The fix: the command's destination made to exist, then a reload.
    await cluster.sql(
      `ALTER SYSTEM SET archive_command = 'mkdir -p ${archive} && cp %p ${archive}/%f'; SELECT pg_reload_conf();`,
    );
    await waitFor(
      "a successful archive",
      async () => (await cluster.sql("SELECT last_archived_time > last_failed_time FROM pg_stat_archiver")) === "t",
    );
    assert.deepEqual(familyIds((await audited.audit()).report), []);
  });

  test("a page damaged on disk is a critical checksum failure of its database", async () => {
    const { cluster } = audited;
    await cluster.sql("CREATE TABLE damaged AS SELECT generate_series(1, 100) AS n; CHECKPOINT;");
    const file = join(cluster.dataDir, await cluster.sql("SELECT pg_relation_filepath('damaged')"));
    await pgCtl(audited, "stop");
    const handle = await open(file, "r+");
    await handle.write(Buffer.alloc(64, 0x5a), 0, 64, 4096);
    await handle.close();
    await pgCtl(audited, "start");
    await cluster.sql("SELECT count(*) FROM damaged").catch(() => undefined);
    await waitFor(
      "the checksum failure counted",
      async () =>
        (await cluster.sql("SELECT checksum_failures FROM pg_stat_database WHERE datname = 'postgres'")) !== "0",
    );
    const { report } = await audited.audit();
    const failure = onlyFinding(report, "integrity/checksum-failures");
    assert.equal(failure.severity, "critical");
    assert.equal(failure.subject, "postgres");
    assert.match(failure.message, /1 page\(s\) failed their checksum in database postgres/);
    // The fix: the damaged relation restored (here: dropped), then the counter reset.
    await cluster.sql("DROP TABLE damaged; SELECT pg_stat_reset();");
    assert.deepEqual(familyIds((await audited.audit()).report), []);
  });
});
