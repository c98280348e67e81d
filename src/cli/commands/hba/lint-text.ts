import type { Finding } from "../../../hba/lint/finding.js";

const LABEL = { critical: "CRITICAL", high: "HIGH", medium: "MEDIUM", low: "LOW", info: "INFO" } as const;

/** Findings for a person: grouped by rule, worst first within a rule, each with why and the fix. */
export function lintText(findings: readonly Finding[], rulesChecked: number): string {
  if (findings.length === 0) return `${rulesChecked} rules checked: no findings`;
  const lines: string[] = [];
  let last = "";
  for (const finding of findings) {
    const where = `${finding.source.file}:${finding.source.line}`;
    // One inventory line can render several rules (localhost is three): each gets its heading.
    const heading = finding.rule.trim() === "" ? where : `${where}: ${finding.rule.trim()}`;
    if (heading !== last) {
      lines.push("", heading);
      last = heading;
    }
    lines.push(`  ${LABEL[finding.severity].padEnd(8)} ${finding.id}: ${finding.message}`, `           why: ${finding.why}`, `           fix: ${finding.fix}`);
  }
  const counts = Object.entries(
    findings.reduce<Record<string, number>>((acc, finding) => ({ ...acc, [finding.severity]: (acc[finding.severity] ?? 0) + 1 }), {}),
  ).map(([severity, count]) => `${count} ${severity}`);
  lines.push("", `${rulesChecked} rules checked: ${findings.length} findings (${counts.join(", ")})`);
  return lines.join("\n").trimStart();
}
