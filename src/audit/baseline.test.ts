import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { ExitCode, PgwardenError } from "../core/errors.js";
import { type AuditFinding } from "./audit-finding.js";
import { compareWithBaseline, findingsThatCount, readAuditBaseline } from "./baseline.js";
import { type AuditReport } from "./report/audit-report.js";
import { scoreChecks } from "./score.js";

function finding(fingerprint: string, target: string, severity: AuditFinding["severity"] = "high"): AuditFinding {
  return {
    id: `tls/${fingerprint}`,
    title: "t",
    severity,
    layer: "network",
    soc2: ["CC6.6"],
    target,
    subject: fingerprint,
    message: "m",
    why: "w",
    fix: "f",
    evidence: [{ label: "setting ssl", value: "off" }],
    fingerprint,
  };
}

function report(findings: AuditFinding[], reachable: Record<string, boolean>, notRun: AuditReport["notRun"] = []) {
  const value: AuditReport = {
    tool: "pgwarden",
    version: "0.1.0",
    generatedAt: "2026-01-02T00:00:00.000Z",
    targets: Object.entries(reachable).map(([name, up]) => ({ name, kind: "server", reachable: up })),
    findings,
    checks: [],
    notRun,
    scores: scoreChecks([]),
    soc2: [],
    certificates: [],
  };
  return value;
}

const baseline = {
  file: "old.json",
  generatedAt: "2026-01-01T00:00:00.000Z",
  findings: [finding("a", "s1"), finding("b", "s1"), finding("c", "s2"), finding("d", "s3"), finding("e", "s1")],
};

test("new, unchanged and fixed by fingerprint; fixed only on targets reached now and checks that ran", () => {
  const now = report([finding("a", "s1"), finding("x", "s1", "low")], { s1: true, s2: false }, [
    { check: "tls/e", title: "t", target: "s1", layer: "network", reason: "privilege" },
  ]);
  const compared = compareWithBaseline(now, baseline);
  assert.deepEqual(compared.new, ["x"]);
  assert.deepEqual(compared.unchanged, ["a"]);
  // b: gone from s1 (fixed); c: s2 unreachable; d: s3 not audited; e: its check could not run.
  assert.deepEqual(
    compared.fixed.map((entry) => entry.fingerprint),
    ["b"],
  );
  assert.equal(compared.generatedAt, baseline.generatedAt);
});

test("with a baseline only new findings count for --fail-on; without one every finding does", () => {
  const now = report([finding("a", "s1"), finding("x", "s1", "low")], { s1: true });
  assert.deepEqual(
    findingsThatCount(now).map((entry) => entry.fingerprint),
    ["a", "x"],
  );
  const compared = { ...now, baseline: compareWithBaseline(now, baseline) };
  assert.deepEqual(
    findingsThatCount(compared).map((entry) => entry.fingerprint),
    ["x"],
  );
});

test("readAuditBaseline: a report is read; missing is exit 4; not JSON, another tool's JSON, a lint baseline are exit 2", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-baseline-"));
  try {
    const good = join(dir, "good.json");
    await writeFile(good, JSON.stringify({ ...report([finding("a", "s1")], { s1: true }), warnings: [] }));
    const read = await readAuditBaseline(good);
    assert.deepEqual(
      read.findings.map((entry) => entry.fingerprint),
      ["a"],
    );
    await assert.rejects(
      readAuditBaseline(join(dir, "missing.json")),
      (error) => error instanceof PgwardenError && error.exitCode === ExitCode.notFound,
    );
    const cases: Record<string, string> = {
      "garbage.json": "{not json",
      "other.json": JSON.stringify({ tool: "pgdsat", findings: [] }),
      "lint.json": JSON.stringify({ pgwardenBaseline: 1, entries: [] }),
      "half.json": JSON.stringify({ tool: "pgwarden", generatedAt: "2026-01-01T00:00:00Z", findings: [{ id: "x" }] }),
    };
    for (const [name, text] of Object.entries(cases)) {
      await writeFile(join(dir, name), text);
      await assert.rejects(
        readAuditBaseline(join(dir, name)),
        (error) => error instanceof PgwardenError && error.exitCode === ExitCode.usage && error.message.includes(name),
        name,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("with a baseline an unchanged target/unreachable still counts for --fail-on: a server never audited fails the gate", () => {
  const down: AuditFinding = { ...finding("down", "s2"), id: "target/unreachable" };
  const before = { ...baseline, findings: [...baseline.findings, down] };
  const now = report([finding("a", "s1"), down], { s1: true, s2: false });
  const compared = { ...now, baseline: compareWithBaseline(now, before) };
  assert.deepEqual(compared.baseline.unchanged, ["a", "down"]);
  assert.deepEqual(
    findingsThatCount(compared).map((entry) => entry.fingerprint),
    ["down"],
  );
});
