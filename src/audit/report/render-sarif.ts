import { type Severity } from "../../core/finding.js";
import { type AuditCheck } from "../audit-check.js";
import { type AuditFinding } from "../audit-finding.js";
import { type AuditReport } from "./audit-report.js";

/** SARIF's levels for pgwarden's severities, as `hba lint --format sarif` maps them. */
const LEVEL: Readonly<Record<Severity, "error" | "warning" | "note">> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/** The key of pgwarden's fingerprint in `partialFingerprints`: versioned, as SARIF asks, in case its recipe changes. */
const FINGERPRINT_KEY = "pgwardenFinding/v1";

/** What a SARIF rule is made of: a check, or a finding of a rule of its own (an hba lint rule seen on a server). */
type RuleSource = Pick<AuditCheck, "id" | "title" | "why" | "fix" | "severity" | "layer" | "soc2" | "cis">;

/**
 * The audit as a SARIF 2.1.0 log for code-scanning tools: one rule per check (and per hba lint
 * rule whose findings appear), one result per finding with its level, message and fix, the file
 * and line it is about when it is about a written file and otherwise the target as a logical
 * location, the finding's fingerprint as `partialFingerprints` so a tool tracks it from run to
 * run, and with a baseline each result's `baselineState` (new or unchanged). Checks that could
 * not run are the invocation's notifications; scores, the SOC 2 table and the targets are the
 * run's properties.
 */
export function renderSarif(report: AuditReport, checks: readonly AuditCheck[]): object {
  const sources = new Map<string, RuleSource>(checks.map((check) => [check.id, check]));
  for (const finding of [...report.findings, ...(report.baseline?.fixed ?? [])])
    if (!sources.has(finding.id)) sources.set(finding.id, ruleSourceOf(finding));
  const rules = [...sources.values()];
  const index = new Map(rules.map((rule, position) => [rule.id, position]));
  const fresh = new Set(report.baseline?.new ?? []);
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "pgwarden",
            version: report.version,
            informationUri: "https://github.com/pgwarden/pgwarden",
            rules: rules.map(sarifRule),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: report.generatedAt,
            toolExecutionNotifications: report.notRun.map((entry) => ({
              level: "warning",
              message: {
                text: `${entry.check} (${entry.title}) not run on ${entry.target}: ${entry.reason}${
                  entry.grant ? `. To run it: ${entry.grant}` : ""
                }`,
              },
              descriptor: { id: entry.check },
              locations: [{ logicalLocations: [{ name: entry.target, kind: "resource" }] }],
              properties: { target: entry.target, layer: entry.layer, ...(entry.grant ? { grant: entry.grant } : {}) },
            })),
          },
        ],
        results: report.findings.map((finding) => ({
          ...sarifResult(finding, index.get(finding.id) ?? 0),
          ...(report.baseline ? { baselineState: fresh.has(finding.fingerprint) ? "new" : "unchanged" } : {}),
        })),
        properties: {
          targets: report.targets,
          scores: report.scores,
          soc2: report.soc2,
          ...(report.baseline
            ? {
                baseline: {
                  file: report.baseline.file,
                  generatedAt: report.baseline.generatedAt,
                  fixed: report.baseline.fixed.map((finding) => finding.fingerprint),
                },
              }
            : {}),
        },
      },
    ],
  };
}

function ruleSourceOf(finding: AuditFinding): RuleSource {
  return {
    id: finding.id,
    title: finding.title,
    why: finding.why,
    fix: finding.fix,
    severity: finding.severity,
    layer: finding.layer,
    soc2: finding.soc2,
    ...(finding.cis === undefined ? {} : { cis: finding.cis }),
  };
}

function sarifRule(rule: RuleSource): object {
  return {
    id: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.why },
    help: { text: rule.fix },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      severity: rule.severity,
      layer: rule.layer,
      soc2: rule.soc2,
      ...(rule.cis === undefined ? {} : { cis: rule.cis }),
      tags: ["security", rule.layer, ...rule.soc2.map((control) => `SOC2-${control}`)],
    },
  };
}

function sarifResult(finding: AuditFinding, ruleIndex: number): object {
  const logical = { logicalLocations: [{ name: finding.target, kind: "resource" }] };
  return {
    ruleId: finding.id,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: `${finding.message} (on ${finding.target}). Fix: ${finding.fix}` },
    locations: [
      finding.source
        ? {
            physicalLocation: {
              artifactLocation: { uri: encodeURI(finding.source.file) },
              region: { startLine: finding.source.line },
            },
            ...logical,
          }
        : logical,
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    properties: {
      severity: finding.severity,
      layer: finding.layer,
      soc2: finding.soc2,
      ...(finding.cis === undefined ? {} : { cis: finding.cis }),
      target: finding.target,
      subject: finding.subject,
      evidence: finding.evidence,
    },
  };
}
