import type { Finding } from "../../../hba/lint/finding.js";

const LABEL = { critical: "CRITICAL", high: "HIGH", medium: "MEDIUM", low: "LOW", info: "INFO" } as const;

/** Findings for a person: grouped by rule, worst first within a rule, each with why and the fix. */
export function lintText(findings: readonly Finding[], rulesChecked: number): string {
  if (findings.length === 0) return `${rulesChecked} rules checked: no findings`;
  const lines: string[] = [];
  let last = "";
  for (const finding of findings) {
    const where = `${finding.source.file}:${finding.source.line}`;
    if (where !== last) {
      lines.push("", `${where}: ${finding.rule.trim()}`);
      last = where;
    }
    lines.push(`  ${LABEL[finding.severity].padEnd(8)} ${finding.id}: ${finding.message}`, `           why: ${finding.why}`, `           fix: ${finding.fix}`);
  }
  const counts = Object.entries(
    findings.reduce<Record<string, number>>((acc, finding) => ({ ...acc, [finding.severity]: (acc[finding.severity] ?? 0) + 1 }), {}),
  ).map(([severity, count]) => `${count} ${severity}`);
  lines.push("", `${rulesChecked} rules checked: ${findings.length} findings (${counts.join(", ")})`);
  return lines.join("\n").trimStart();
}
