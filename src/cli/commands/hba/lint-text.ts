import type { Finding } from "../../../hba/lint/finding.js";
import { findingLines, severityCounts } from "../../finding-text.js";

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
    lines.push(...findingLines(finding));
  }
  lines.push("", `${rulesChecked} rules checked: ${findings.length} findings (${severityCounts(findings)})`);
  return lines.join("\n").trimStart();
}
