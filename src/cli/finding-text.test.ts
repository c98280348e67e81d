import assert from "node:assert/strict";
import { test } from "node:test";
import { findingLines, severityCounts } from "./finding-text.js";

const finding = { severity: "high", id: "md5-deprecated", message: "md5 from 10.0.0.0/8", why: "md5 is weak", fix: "use scram-sha-256" } as const;

test("a finding reads as its severity and message, then why, fix and further lines aligned beneath", () => {
  assert.deepEqual(findingLines(finding, [["password", "Pigsty.2024"]]), [
    "  HIGH     md5-deprecated: md5 from 10.0.0.0/8",
    "           why: md5 is weak",
    "           fix: use scram-sha-256",
    "           password: Pigsty.2024",
  ]);
  assert.equal(findingLines({ ...finding, severity: "critical" })[0], "  CRITICAL md5-deprecated: md5 from 10.0.0.0/8");
});

test("counts name each severity present once, the worst first, whatever order the findings come in", () => {
  const severities = ["low", "high", "info", "high", "critical", "low", "low"] as const;
  assert.equal(severityCounts(severities.map((severity) => ({ severity }))), "1 critical, 2 high, 3 low, 1 info");
  assert.equal(severityCounts([]), "");
});
