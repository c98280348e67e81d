import { LAYER_TITLES, LAYERS } from "../layer.js";
import { type AuditReport } from "./audit-report.js";

/**
 * The report as text: the findings grouped by layer, worst first, then what could not run, then a summary line.
 * `color`: ANSI colours, for a terminal.
 */
export function renderText(report: AuditReport, options: { readonly color: boolean }): string {
  // Bold red for critical, red for high, on a terminal only.
  const paint = (severity: string, text: string) =>
    !options.color
      ? text
      : severity === "critical"
        ? `\u001b[1;31m${text}\u001b[0m`
        : severity === "high"
          ? `\u001b[31m${text}\u001b[0m`
          : text;
  const lines: string[] = [];
  for (const layer of LAYERS) {
    const findings = report.findings.filter((finding) => finding.layer === layer);
    const score = report.scores.layers[layer];
    lines.push(
      `${LAYER_TITLES[layer].title}: ${score.score}/100 (${score.checksPassed} of ${score.checksRun} checks passed)`,
    );
    for (const finding of findings) {
      lines.push(
        `  ${paint(finding.severity, finding.severity.toUpperCase())} ${finding.id} on ${finding.target}: ${finding.message}`,
      );
      for (const evidence of finding.evidence)
        lines.push(
          `    ${evidence.label}: ${evidence.value}${evidence.source ? ` (${evidence.source.file}:${evidence.source.line})` : ""}`,
        );
      lines.push(`    fix: ${finding.fix}`);
    }
  }
  for (const entry of report.notRun)
    lines.push(`not run: ${entry.check} on ${entry.target}: ${entry.reason}${entry.grant ? ` (${entry.grant})` : ""}`);
  if (report.baseline)
    lines.push(
      `since ${report.baseline.file} (${report.baseline.generatedAt}): ${report.baseline.new.length} new, ${report.baseline.unchanged.length} unchanged, ${report.baseline.fixed.length} fixed`,
    );
  lines.push(
    `overall ${report.scores.overall.score}/100, ${report.findings.length} findings on ${report.targets.length} targets`,
  );
  return `${lines.join("\n")}\n`;
}
