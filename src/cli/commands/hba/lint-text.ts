import type { Finding } from "../../../hba/lint/finding.js";
import { findingLines, severityCounts } from "../../finding-text.js";

/** How many findings go into one write: a file of millions of rules never becomes one string. */
export const FINDINGS_PER_CHUNK = 2_000;

/**
 * Findings for a person, after `prefix` (the source): grouped by rule, worst first within a
 * rule, each with why and the fix. Yields the text in pieces that each end with a line break,
 * so a report of millions of findings is written piece by piece instead of being built as one
 * string (which V8 caps at about 512 MiB) and one array of lines.
 */
export function* lintTextChunks(prefix: string, findings: readonly Finding[], rulesChecked: number): Generator<string> {
  if (findings.length === 0) {
    yield `${prefix}${rulesChecked} rules checked: no findings\n`;
    return;
  }
  let lines: string[] = [];
  let last = "";
  for (const [index, finding] of findings.entries()) {
    const where = `${finding.source.file}:${finding.source.line}`;
    // One inventory line can render several rules (localhost is three): each gets its heading.
    const heading = finding.rule.trim() === "" ? where : `${where}: ${finding.rule.trim()}`;
    if (heading !== last) {
      // The first heading follows the prefix on its line.
      if (index === 0) lines.push(`${prefix}${heading}`);
      else lines.push("", heading);
      last = heading;
    }
    for (const line of findingLines(finding)) lines.push(line);
    if ((index + 1) % FINDINGS_PER_CHUNK === 0) {
      yield `${lines.join("\n")}\n`;
      lines = [];
    }
  }
  lines.push("", `${rulesChecked} rules checked: ${findings.length} findings (${severityCounts(findings)})`);
  yield `${lines.join("\n")}\n`;
}

/** {@link lintTextChunks} as one string, for reports known to be small. */
export function lintText(findings: readonly Finding[], rulesChecked: number): string {
  return [...lintTextChunks("", findings, rulesChecked)].join("").trimEnd();
}
