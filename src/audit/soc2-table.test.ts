import assert from "node:assert/strict";
import { test } from "node:test";

import { type AuditCheck } from "./audit-check.js";
import { type AuditFinding } from "./audit-finding.js";
import { type CheckNotRun, type CheckRun } from "./report/audit-report.js";
import { soc2Table } from "./soc2-table.js";

const check = (id: string, soc2: AuditCheck["soc2"]): AuditCheck => ({
  id,
  title: id,
  layer: "network",
  severity: "high",
  soc2,
  scope: "server",
  why: "",
  fix: "",
  facts: [],
  run: () => [],
});
const ran = (id: string, passed: boolean): CheckRun => ({
  check: id,
  target: "t",
  layer: "network",
  severity: "high",
  passed,
});
const finding = (id: string, severity: AuditFinding["severity"], soc2: AuditFinding["soc2"]): AuditFinding => ({
  id,
  title: id,
  severity,
  layer: "network",
  soc2,
  target: "t",
  subject: id,
  message: "",
  why: "",
  fix: "",
  evidence: [],
  fingerprint: `fp-${id}`,
});
const notRun = (id: string): CheckNotRun => ({
  check: id,
  title: id,
  target: "t",
  layer: "network",
  reason: "r",
  grant: "g",
});

test("each control's status follows the worst finding behind it, then what could not run", () => {
  const checks = [check("tls", ["CC6.6"]), check("logs", ["CC7.2"]), check("roles", ["CC6.1"]), check("wal", ["A1.2"])];
  const rows = soc2Table(
    checks,
    [ran("tls", false), ran("logs", false), ran("roles", true), ran("wal", true)],
    [notRun("roles")],
    [finding("tls", "critical", ["CC6.6"]), finding("logs", "low", ["CC7.2"]), finding("wal", "info", ["A1.2"])],
  );
  const status = Object.fromEntries(rows.map((row) => [row.control, row.status]));
  assert.deepEqual(status, {
    "CC6.1": "partly met",
    "CC6.6": "not met",
    "CC6.7": "not assessed",
    "CC7.2": "partly met",
    "CC9.1": "not assessed",
    "A1.2": "met",
  });
  assert.deepEqual(rows.find((row) => row.control === "CC6.6")?.findings, ["fp-tls"]);
});
