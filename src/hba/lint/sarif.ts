import type { Finding, Severity } from "../../core/finding.js";
import type { LintCheck } from "./lint-rule.js";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/** Findings as a SARIF 2.1.0 log, for code-scanning tools. */
export function toSarif(
  findings: readonly Finding[],
  checks: readonly Pick<LintCheck, "id" | "title" | "why" | "severity">[],
  version: string,
): object {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "pgwarden",
            version,
            informationUri: "https://github.com/pgwarden/pgwarden",
            rules: checks.map((check) => ({
              id: check.id,
              shortDescription: { text: check.title },
              fullDescription: { text: check.why },
              defaultConfiguration: { level: LEVEL[check.severity] },
              properties: { severity: check.severity },
            })),
          },
        },
        results: findings.map((finding) => sarifResult(finding)),
      },
    ],
  };
}

/**
 * One finding as a SARIF result (also used alone, to write a long log piece by piece). An accepted
 * finding carries SARIF's suppressions (inSource for a pgwarden:ignore comment, external for
 * --ignore and the baseline), so code scanning shows it as dismissed rather than losing it.
 */
export function sarifResult(finding: Finding, suppressedBy?: "ignore" | "inline" | "baseline"): object {
  return {
    ruleId: finding.id,
    level: LEVEL[finding.severity],
    message: { text: `${finding.message}. Fix: ${finding.fix}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: finding.source.file },
          region: { startLine: finding.source.line },
        },
      },
    ],
    properties: { severity: finding.severity, rule: finding.rule },
    ...(suppressedBy === undefined
      ? {}
      : {
          suppressions: [
            { kind: suppressedBy === "inline" ? "inSource" : "external", justification: `pgwarden ${suppressedBy}` },
          ],
        }),
  };
}
