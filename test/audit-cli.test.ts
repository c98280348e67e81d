import assert from "node:assert/strict";
import { readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { auditShape } from "../src/cli/json-shapes/audit.js";
import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { pgwarden, snapshot, tempDir } from "./support/cli.js";
import { freePort } from "./support/pg-cluster.js";

interface Baselined extends AuditJson {
  readonly baseline?: {
    readonly new: readonly string[];
    readonly unchanged: readonly string[];
    readonly fixed: readonly { readonly fingerprint: string; readonly id: string }[];
  };
}

let audited: AuditedCluster;
let work: { dir: string; cleanup: () => Promise<void> };
let dead: string;

before(async () => {
  audited = await startAuditedCluster({ settings: { log_connections: "off" } });
  work = await tempDir("pgwarden-audit-cli-");
  dead = `host=127.0.0.1 port=${await freePort()} user=auditor dbname=postgres connect_timeout=2`;
});

after(async () => {
  await audited?.stop();
  await work?.cleanup();
});

/** `pgwarden audit` in the work directory, as the auditor. */
const audit = (args: readonly string[]) => pgwarden(["audit", ...args], { env: audited.env, cwd: work.dir });

test("bad input is one line on stderr with its exit code, and nothing is written", async () => {
  const garbage = join(work.dir, "garbage.json");
  await writeFile(garbage, "{ this is not json");
  const elsewhere = await tempDir("pgwarden-audit-elsewhere-");
  await writeFile(join(elsewhere.dir, "report.html"), "<html>pgwarden</html>");
  await symlink(join(elsewhere.dir, "report.html"), join(work.dir, "link.html"));
  const other = join(work.dir, "other.json");
  await writeFile(other, JSON.stringify({ pgwardenBaseline: 1, entries: [] }));
  const cases: { args: string[]; code: number; says: RegExp }[] = [
    { args: ["--conn", audited.conn, "--fail-on", "severe"], code: 2, says: /fail-on.*severe/ },
    { args: ["--conn", audited.conn, "--conn", dead, "--pgdata", audited.cluster.dataDir], code: 2, says: /--pgdata/ },
    { args: ["--conn", audited.conn, "--baseline", join(work.dir, "nope.json")], code: 4, says: /nope\.json/ },
    { args: ["--conn", audited.conn, "--baseline", garbage], code: 2, says: /garbage\.json is not JSON/ },
    {
      args: ["--conn", audited.conn, "--baseline", other],
      code: 2,
      says: /other\.json is not a pgwarden audit report/,
    },
    { args: ["--conn", audited.conn, "--html", join(work.dir, "missing", "a.html")], code: 4, says: /missing/ },
    { args: ["--conn", audited.conn, "--html", work.dir], code: 2, says: /is a directory/ },
    { args: ["--conn", audited.conn, "--html", join(work.dir, "link.html")], code: 2, says: /is a symbolic link/ },
    { args: ["--conn", audited.conn, "--cluster", "pg-meta"], code: 2, says: /--cluster needs --inventory/ },
    {
      args: ["--conn", audited.conn, "--pgdata", join(work.dir, "nodata")],
      code: 4,
      says: /--pgdata .*nodata does not exist/,
    },
    {
      args: ["--conn", audited.conn, "--conn-template", "host={host}"],
      code: 2,
      says: /--conn-template needs --inventory/,
    },
    { args: ["--inventory", join(work.dir, "nope.yml")], code: 4, says: /nope\.yml/ },
    { args: ["--conn", audited.conn, "--concurrency", "0"], code: 2, says: /--concurrency/ },
    { args: ["--conn", audited.conn, "--ca", join(work.dir, "nope.crt")], code: 4, says: /nope\.crt/ },
    { args: ["--conn", audited.conn, "--ca", garbage], code: 2, says: /garbage\.json/ },
  ];
  const before = await snapshot(work.dir);
  for (const { args, code, says } of cases) {
    const result = await audit(args);
    const lines = result.stderr.trim().split("\n");
    assert.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(lines.length, 1, `one line for ${args.join(" ")}: ${result.stderr}`);
    assert.match(lines[0] ?? "", says);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    assert.equal(result.stdout, "", `no report for ${args.join(" ")}`);
  }
  assert.deepEqual(await snapshot(work.dir), before, "nothing written");
  assert.equal(
    await readFile(join(elsewhere.dir, "report.html"), "utf8"),
    "<html>pgwarden</html>",
    "nor where a link led",
  );
  await elsewhere.cleanup();
});

test("--fail-on: exit 1 when a finding reaches it, 0 when none does (an unreachable server is a high finding)", async () => {
  const high = await audit(["--conn", dead, "--format", "json", "--fail-on", "high"]);
  assert.equal(high.code, 1, high.stderr);
  const report = JSON.parse(high.stdout) as AuditJson;
  assert.deepEqual(
    report.findings.map((finding) => [finding.id, finding.severity]),
    [["target/unreachable", "high"]],
  );
  // A server not audited fails the gate whatever --fail-on says (review round 2: --fail-on critical passed it).
  const critical = await audit(["--conn", dead, "--format", "json", "--fail-on", "critical"]);
  assert.equal(critical.code, 1, critical.stderr);
  // The default is high, as for hba lint and password audit.
  const byDefault = await audit(["--conn", dead, "--format", "json"]);
  assert.equal(byDefault.code, 1, byDefault.stderr);
});

test("an unreachable --conn among reachable ones is a finding; the reachable server is audited; one report, progress on stderr", async () => {
  const result = await audit(["--conn", audited.conn, "--conn", dead, "--format", "json", "--fail-on", "critical"]);
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const report = JSON.parse(result.stdout) as AuditJson;
  const [live, gone] = [`127.0.0.1:${audited.cluster.port}`, dead.match(/port=(\d+)/)?.[1]];
  assert.deepEqual(
    report.targets.map((target) => [target.name, target.reachable]).sort(),
    [
      [live, true],
      [`127.0.0.1:${gone}`, false],
    ].sort(),
  );
  const unreachable = report.findings.filter((finding) => finding.id === "target/unreachable");
  assert.deepEqual(
    unreachable.map((finding) => finding.target),
    [`127.0.0.1:${gone}`],
  );
  assert.match(unreachable[0]?.message ?? "", /Connection refused/);
  assert.ok(report.checks.some((check) => check.target === live && check.check === "tls/ssl-off"));
  assert.ok(report.findings.some((finding) => finding.target === live && finding.id === "logging/log-connections"));
  assert.match(result.stderr, /audit: 2\/2 \(100%\)/, "progress on stderr");
});

test("--baseline: a change between two runs is new, fixed and unchanged by fingerprint; only new findings fail", async () => {
  const first = await audit(["--conn", audited.conn, "--format", "json", "--fail-on", "critical"]);
  const baselineFile = join(work.dir, "baseline.json");
  await writeFile(baselineFile, first.stdout);
  const before = JSON.parse(first.stdout) as AuditJson;
  const logConnections = before.findings.find((finding) => finding.id === "logging/log-connections");
  const sslOff = before.findings.find((finding) => finding.id === "tls/ssl-off");
  assert.ok(logConnections && sslOff, "planted: log_connections off, ssl off");
  try {
    await audited.cluster.sql("ALTER SYSTEM SET log_connections = on");
    await audited.cluster.reload();
    const second = await audit([
      "--conn",
      audited.conn,
      "--conn",
      dead,
      "--format",
      "json",
      "--baseline",
      baselineFile,
      "--fail-on",
      "low",
    ]);
    assert.equal(second.code, 1, `the unreachable server is new and high: ${second.stderr}`);
    const now = JSON.parse(second.stdout) as Baselined;
    const documented = auditShape.safeParse(now);
    assert.ok(
      documented.success,
      `the report with its baseline matches schemas/audit.schema.json: ${documented.error?.message}`,
    );
    const unreachable = now.findings.find((finding) => finding.id === "target/unreachable");
    assert.ok(now.baseline && unreachable);
    assert.deepEqual(now.baseline.new, [unreachable.fingerprint]);
    assert.ok(now.baseline.unchanged.includes(sslOff.fingerprint));
    assert.deepEqual(
      [...now.baseline.new, ...now.baseline.unchanged].sort(),
      [...new Set(now.findings.map((finding) => finding.fingerprint))].sort(),
    );
    assert.deepEqual(
      now.baseline.fixed.map((finding) => finding.fingerprint),
      [logConnections.fingerprint],
    );
    // Against a baseline of itself nothing is new, yet the server still unreachable fails the gate (L8: the old
    // expectation, exit 0, let a gate pass a server it never audited); without it --fail-on low passes.
    await writeFile(baselineFile, second.stdout);
    const third = await audit(["--conn", audited.conn, "--conn", dead, "--baseline", baselineFile, "--fail-on", "low"]);
    assert.equal(third.code, 1, third.stderr);
    assert.match(third.stdout, /: 0 new \(marked new\), 0 fixed, \d+ unchanged/);
    const fourth = await audit(["--conn", audited.conn, "--baseline", baselineFile, "--fail-on", "low"]);
    assert.equal(fourth.code, 0, fourth.stderr);
    assert.match(fourth.stdout, /: 0 new \(marked new\), 0 fixed, \d+ unchanged/);
  } finally {
    await audited.cluster.sql("ALTER SYSTEM RESET log_connections");
    await audited.cluster.reload();
  }
});

test("--format sarif is SARIF 2.1.0 JSON with one result per finding; --html writes one page, 0600", async () => {
  const html = join(work.dir, "report.html");
  const sarif = await audit(["--conn", audited.conn, "--format", "sarif", "--html", html, "--fail-on", "critical"]);
  assert.ok(sarif.code === 0 || sarif.code === 1, sarif.stderr);
  const log = JSON.parse(sarif.stdout) as {
    version: string;
    runs: { results: { ruleId: string; partialFingerprints: Record<string, string> }[] }[];
  };
  assert.equal(log.version, "2.1.0");
  const json = await audit(["--conn", audited.conn, "--format", "json", "--fail-on", "critical"]);
  const { findings } = JSON.parse(json.stdout) as AuditJson;
  assert.deepEqual(
    log.runs[0]?.results.map((result) => result.ruleId).sort(),
    findings.map((finding) => finding.id).sort(),
  );
  assert.equal((await stat(html)).mode & 0o777, 0o600);
  assert.match(sarif.stderr, /HTML report: .*report\.html/);
  // A second run replaces its own earlier report; a file pgwarden did not write is kept.
  const again = await audit(["--conn", audited.conn, "--html", html, "--fail-on", "critical"]);
  assert.ok(again.code === 0 || again.code === 1, again.stderr);
  const foreign = join(work.dir, "notes.html");
  await writeFile(foreign, "my notes");
  const refused = await audit(["--conn", audited.conn, "--html", foreign]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /not a pgwarden report/);
});

test("text output: layers, the findings and a summary line", async () => {
  const result = await audit(["--conn", audited.conn, "--fail-on", "critical"]);
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  assert.match(result.stdout, /^Network security {2}\d+\/100/m);
  assert.match(result.stdout, /tls\/ssl-off/);
  assert.match(result.stdout, /^overall \d+\/100: .* on 1 target/m);
  assert.doesNotMatch(result.stdout, /\u001b\[/, "no colour into a pipe");
});

test("a server that refuses the login is a finding with the server's words, not an error", async () => {
  const result = await pgwarden(["audit", "--conn", audited.conn, "--format", "json", "--fail-on", "critical"], {
    env: { PGPASSWORD: "not-the-password" },
    cwd: work.dir,
  });
  assert.equal(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as AuditJson;
  assert.deepEqual(
    report.targets.map((target) => target.reachable),
    [false],
  );
  const [finding] = report.findings;
  assert.equal(finding?.id, "target/unreachable");
  assert.match(finding?.message ?? "", /password authentication failed for user "auditor"/);
  assert.ok(!result.stdout.includes("not-the-password") && !result.stderr.includes("not-the-password"));
});
