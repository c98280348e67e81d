import assert from "node:assert/strict";
import { test } from "node:test";

import { z } from "zod";

import { FIXTURE_CHECKS, fixtureReport } from "../../../test/support/audit-report-fixture.js";
import { renderSarif } from "./render-sarif.js";

/** The parts of SARIF 2.1.0 pgwarden writes, with the spec's required properties and value sets. */
const level = z.enum(["none", "note", "warning", "error"]);
const text = z.strictObject({ text: z.string().min(1) });
const logicalLocation = z.strictObject({ name: z.string().min(1), kind: z.literal("resource") });
const location = z.strictObject({
  physicalLocation: z
    .strictObject({
      artifactLocation: z.strictObject({ uri: z.string().min(1) }),
      region: z.strictObject({ startLine: z.number().int().min(1) }),
    })
    .optional(),
  logicalLocations: z.array(logicalLocation).min(1),
});
const sarifLog = z.strictObject({
  $schema: z.literal("https://json.schemastore.org/sarif-2.1.0.json"),
  version: z.literal("2.1.0"),
  runs: z
    .array(
      z.strictObject({
        tool: z.strictObject({
          driver: z.strictObject({
            name: z.literal("pgwarden"),
            version: z.string(),
            informationUri: z.url(),
            rules: z.array(
              z.strictObject({
                id: z.string().min(1),
                shortDescription: text,
                fullDescription: text,
                help: text,
                defaultConfiguration: z.strictObject({ level }),
                properties: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        }),
        invocations: z.array(
          z.strictObject({
            executionSuccessful: z.boolean(),
            endTimeUtc: z.iso.datetime(),
            toolExecutionNotifications: z.array(
              z.strictObject({
                level,
                message: text,
                descriptor: z.strictObject({ id: z.string() }),
                locations: z.array(location),
                properties: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        ),
        results: z.array(
          z.strictObject({
            ruleId: z.string(),
            ruleIndex: z.number().int().min(0),
            level,
            message: text,
            locations: z.array(location).min(1),
            partialFingerprints: z.record(z.string(), z.string()),
            baselineState: z.enum(["new", "unchanged", "updated", "absent"]).optional(),
            properties: z.record(z.string(), z.unknown()),
          }),
        ),
        properties: z.record(z.string(), z.unknown()),
      }),
    )
    .length(1),
});
type SarifLog = z.infer<typeof sarifLog>;

function parse(value: object): SarifLog {
  // Through JSON, as a tool reads it: nothing undefined or non-JSON may hide in the object.
  return sarifLog.parse(JSON.parse(JSON.stringify(value)));
}

test("the log is SARIF 2.1.0: one rule per check and per hba lint rule seen, each result pointing at its rule", () => {
  const report = fixtureReport();
  const [run] = parse(renderSarif(report, FIXTURE_CHECKS)).runs;
  assert.ok(run);
  const ruleIds = run.tool.driver.rules.map((rule) => rule.id);
  assert.equal(new Set(ruleIds).size, ruleIds.length, "one rule per id");
  assert.deepEqual(ruleIds, [...FIXTURE_CHECKS.map((check) => check.id), "trust-from-network"]);
  assert.equal(run.results.length, report.findings.length);
  for (const result of run.results) assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
  const lint = run.tool.driver.rules.find((rule) => rule.id === "trust-from-network");
  assert.equal(lint?.fullDescription.text, "Anyone who reaches the port logs in as any role.");
  assert.deepEqual(lint?.properties.layer, "authentication");
});

test("levels follow severity: critical and high are errors, medium warnings, low and info notes", () => {
  const [run] = parse(renderSarif(fixtureReport(), FIXTURE_CHECKS)).runs;
  const levelOf = (id: string) => run?.results.find((result) => result.ruleId === id)?.level;
  assert.equal(levelOf("tls/ssl-off"), "error");
  assert.equal(levelOf("trust-from-network"), "error", "a lint finding's own severity (critical), not its check's");
  assert.equal(levelOf("tls/wire-certificate-expiring"), "error");
  assert.equal(levelOf("roles/superusers"), "warning");
  assert.equal(levelOf("roles/public-create"), "note");
  assert.equal(levelOf("logging/checksums"), "note");
  const rule = (id: string) => run?.tool.driver.rules.find((entry) => entry.id === id);
  assert.equal(rule("logging/archive")?.defaultConfiguration.level, "error");
  assert.equal(rule("logging/log-connections")?.defaultConfiguration.level, "warning");
});

test("a finding about a written file points at its line; others at the target as a logical location", () => {
  const [run] = parse(renderSarif(fixtureReport(), FIXTURE_CHECKS)).runs;
  const lint = run?.results.find((result) => result.ruleId === "trust-from-network");
  assert.deepEqual(lint?.locations, [
    {
      physicalLocation: { artifactLocation: { uri: "pg_hba.conf" }, region: { startLine: 4 } },
      logicalLocations: [{ name: "127.0.0.1:5432", kind: "resource" }],
    },
  ]);
  const expiring = run?.results.find((result) => result.ruleId === "tls/wire-certificate-expiring");
  assert.deepEqual(expiring?.locations, [{ logicalLocations: [{ name: "127.0.0.1:5433", kind: "resource" }] }]);
});

test("each result carries its finding's fingerprint, message, fix and properties (layer, SOC 2, CIS)", () => {
  const report = fixtureReport();
  const [run] = parse(renderSarif(report, FIXTURE_CHECKS)).runs;
  assert.ok(run);
  for (const [position, result] of run.results.entries()) {
    const finding = report.findings[position];
    assert.ok(finding);
    assert.deepEqual(result.partialFingerprints, { "pgwardenFinding/v1": finding.fingerprint });
    assert.ok(result.message.text.startsWith(finding.message) && result.message.text.endsWith(`Fix: ${finding.fix}`));
    assert.equal(result.properties.layer, finding.layer);
    assert.deepEqual(result.properties.soc2, finding.soc2);
    assert.equal(result.properties.cis, finding.cis);
    assert.equal(result.baselineState, undefined, "no baseline, no baselineState");
  }
  const fingerprints = run.results.map((result) => result.partialFingerprints["pgwardenFinding/v1"]);
  assert.equal(new Set(fingerprints).size, fingerprints.length);
  assert.equal(run.results.find((result) => result.ruleId === "tls/ssl-off")?.properties.cis, "6.7");
});

test("with a baseline, results are new or unchanged and the fixed are listed in the run's properties", () => {
  const report = fixtureReport({ baseline: true });
  const [run] = parse(renderSarif(report, FIXTURE_CHECKS)).runs;
  assert.ok(run && report.baseline);
  const states = run.results.map((result) => result.baselineState);
  assert.deepEqual(states, ["new", ...Array<string>(report.findings.length - 1).fill("unchanged")]);
  assert.deepEqual((run.properties.baseline as { fixed: string[] }).fixed, [report.baseline.fixed[0]?.fingerprint]);
});

test("checks that could not run are the invocation's notifications, with the grant that would let them", () => {
  const [run] = parse(renderSarif(fixtureReport(), FIXTURE_CHECKS)).runs;
  const notifications = run?.invocations[0]?.toolExecutionNotifications ?? [];
  assert.deepEqual(
    notifications.map((entry) => entry.descriptor.id),
    ["passwords/weak", "logging/pgdata-mode"],
  );
  assert.match(
    notifications[1]?.message.text ?? "",
    /not run on 127\.0\.0\.1:5433: .*\. To run it: GRANT pg_read_server_files TO auditor$/,
  );
});
