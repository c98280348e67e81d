import assert from "node:assert/strict";
import { test } from "node:test";

import { colourSeverities, findingLines, severityCounts, useColour } from "./finding-text.js";

const finding = {
  severity: "high",
  id: "md5-deprecated",
  message: "md5 from 10.0.0.0/8",
  why: "md5 is weak",
  fix: "use scram-sha-256",
} as const;

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

test("colour: critical and high labels of finding lines only, in both layouts; headings and lower severities untouched", () => {
  const text = [
    "pg_hba.conf:3: host all high 0.0.0.0/0 md5",
    "  HIGH     wide-address: 0.0.0.0/0",
    "  MEDIUM   md5-deprecated: md5",
    "pg_hba.conf:4: critical trust-from-network: trust from 10.0.0.0/8",
    "pg_hba.conf:5: low x: y",
  ].join("\n");
  assert.deepEqual(colourSeverities(text).split("\n"), [
    "pg_hba.conf:3: host all high 0.0.0.0/0 md5",
    "  \u001b[31mHIGH\u001b[0m     wide-address: 0.0.0.0/0",
    "  MEDIUM   md5-deprecated: md5",
    "pg_hba.conf:4: \u001b[1;31mcritical\u001b[0m trust-from-network: trust from 10.0.0.0/8",
    "pg_hba.conf:5: low x: y",
  ]);
});

test("colour only on a terminal, never with NO_COLOR (non-empty) or --no-color", () => {
  assert.equal(useColour({ isTTY: true }, {}, false), true);
  assert.equal(useColour({ isTTY: false }, {}, false), false, "a pipe");
  assert.equal(useColour({}, {}, false), false);
  assert.equal(useColour({ isTTY: true }, { NO_COLOR: "1" }, false), false);
  assert.equal(
    useColour({ isTTY: true }, { NO_COLOR: "" }, false),
    true,
    "no-color.org: an empty NO_COLOR does not count",
  );
  assert.equal(useColour({ isTTY: true }, {}, true), false, "--no-color");
});

test("showWhy false leaves the why line out, the rest as before", () => {
  const lines = findingLines({ severity: "high", id: "x", message: "m", why: "w", fix: "f" }, [], false);
  assert.deepEqual(lines, ["  HIGH     x: m", `${" ".repeat(11)}fix: f`]);
});
