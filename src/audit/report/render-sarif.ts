import { type Severity } from "../../core/finding.js";
import { type AuditCheck } from "../audit-check.js";
import { type AuditReport } from "./audit-report.js";

const LEVEL: Readonly<Record<Severity, "error" | "warning" | "note">> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

/**
 * The report as a SARIF 2.1.0 log: one rule per check (and per lint rule id a finding carries),
 * one result per finding, located at its file:line when it has one, else at its target; with a
 * baseline, each result's baselineState. The smallest honest version: helper 6's fuller one replaces it.
 */
export function renderSarif(report: AuditReport, checks: readonly AuditCheck[]): object {
  const rules = new Map(
    checks.map((check) => [check.id, { id: check.id, title: check.title, why: check.why, severity: check.severity }]),
  );
  for (const finding of report.findings)
    if (!rules.has(finding.id))
      rules.set(finding.id, { id: finding.id, title: finding.title, why: finding.why, severity: finding.severity });
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
            rules: [...rules.values()].map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.why },
              defaultConfiguration: { level: LEVEL[rule.severity] },
              properties: { severity: rule.severity },
            })),
          },
        },
        results: report.findings.map((finding) => ({
          ruleId: finding.id,
          level: LEVEL[finding.severity],
          message: { text: `${finding.target}: ${finding.message}. Fix: ${finding.fix}` },
          locations: [
            finding.source
              ? {
                  physicalLocation: {
                    artifactLocation: { uri: finding.source.file },
                    region: { startLine: finding.source.line },
                  },
                }
              : { logicalLocations: [{ name: finding.target, kind: "module" }] },
          ],
          partialFingerprints: { pgwardenAudit: finding.fingerprint },
          ...(report.baseline ? { baselineState: fresh.has(finding.fingerprint) ? "new" : "unchanged" } : {}),
          properties: {
            severity: finding.severity,
            layer: finding.layer,
            soc2: finding.soc2,
            ...(finding.cis ? { cis: finding.cis } : {}),
          },
        })),
      },
    ],
  };
}
