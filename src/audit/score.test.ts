import assert from "node:assert/strict";
import { test } from "node:test";

import { type CheckRun } from "./report/audit-report.js";
import { scoreChecks } from "./score.js";

const run = (layer: CheckRun["layer"], severity: CheckRun["severity"], passed: boolean): CheckRun => ({
  check: `${layer}/${severity}/${String(passed)}`,
  target: "t",
  layer,
  severity,
  passed,
});

test("a layer scores the severity-weighted share of its checks that passed, floored", () => {
  const scores = scoreChecks([
    run("network", "critical", true),
    run("network", "low", false),
    run("data", "critical", false),
    run("data", "low", true),
  ]);
  assert.deepEqual(scores.layers.network, { score: 88, checksRun: 2, checksPassed: 1 });
  assert.deepEqual(scores.layers.data, { score: 11, checksRun: 2, checksPassed: 1 });
  assert.deepEqual(scores.overall, { score: 50, checksRun: 4, checksPassed: 2 });
});

test("a layer with no check run scores 100 with zero checks, and only a clean layer reaches 100", () => {
  const scores = scoreChecks([
    run("network", "critical", true),
    ...Array.from({ length: 99 }, () => run("network", "critical", true)),
    run("network", "low", false),
  ]);
  assert.equal(scores.layers.authentication.checksRun, 0);
  assert.equal(scores.layers.authentication.score, 100);
  assert.equal(scores.layers.network.score, 99);
});
