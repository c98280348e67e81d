import type { Finding } from "../../../core/finding.js";
import { findingFingerprint } from "../../../hba/lint/fingerprint.js";
import type { BaselineEntry, SuppressedFinding } from "../../../hba/lint/suppress.js";
import { findingLines, severityCounts } from "../../finding-text.js";

/** How many findings go into one write: a file of millions of rules never becomes one string. */
export const FINDINGS_PER_CHUNK = 2_000;

export interface LintTextOptions {
  /** One line per finding, `file:line: severity id: message`, as compilers print (gcc, eslint's unix formatter). */
  readonly compact?: boolean;
  readonly suppressed?: readonly SuppressedFinding[];
  /** Baseline entries no finding matched: reported as info. */
  readonly staleBaseline?: readonly BaselineEntry[];
}

const where = (finding: Pick<Finding, "source">) => `${finding.source.file}:${finding.source.line}`;

/** `file:line: severity id: message`; a finding standing for several rendered lines names the others after it. */
export function compactLine(finding: Finding): string {
  const others = (finding.alsoAt ?? []).map((other) => where(other)).filter((other) => other !== where(finding));
  return `${where(finding)}: ${finding.severity} ${finding.id}: ${finding.message}${others.length > 0 ? ` (also ${[...new Set(others)].join(", ")})` : ""}`;
}

/** A baseline entry that matched nothing, as an info line of either layout. */
function staleLine(entry: BaselineEntry, compact: boolean): string {
  const at = entry.source ? `${entry.source.file}:${entry.source.line}` : "baseline";
  const what = `${entry.id} (${entry.fingerprint})${entry.message ? ` "${entry.message}"` : ""} matches no finding: fixed, or its rule changed; write the baseline again`;
  return compact ? `${at}: info baseline-stale: ${what}` : `  INFO     baseline-stale: ${at}: ${what}`;
}

/** `3 suppressed (2 by --ignore, 1 by a pgwarden:ignore comment)`, or nothing. */
export function suppressedSummary(suppressed: readonly SuppressedFinding[]): string {
  if (suppressed.length === 0) return "";
  const label = { ignore: "by --ignore", inline: "by a pgwarden:ignore comment", baseline: "in the baseline" } as const;
  const count = new Map<keyof typeof label, number>();
  for (const finding of suppressed) count.set(finding.suppressedBy, (count.get(finding.suppressedBy) ?? 0) + 1);
  return `${suppressed.length} suppressed (${[...count].map(([by, n]) => `${n} ${label[by]}`).join(", ")})`;
}

/** The closing line: rules checked, findings by severity, how many were suppressed. */
export function lintSummary(findings: readonly Finding[], rulesChecked: number, options: LintTextOptions = {}): string {
  const counted = findings.length === 0 ? "no findings" : `${findings.length} findings (${severityCounts(findings)})`;
  const suppressed = suppressedSummary(options.suppressed ?? []);
  const stale = options.staleBaseline?.length ? `, ${options.staleBaseline.length} baseline entries stale` : "";
  return `${rulesChecked} rules checked: ${counted}${suppressed ? `, ${suppressed}` : ""}${stale}`;
}

/**
 * Findings for a person, after `prefix` (the source): grouped by rule, worst first within a
 * rule, each with the fix; why a check matters is said once, at its first finding. Yields the
 * text in pieces that each end with a line break, so a report of millions of findings is
 * written piece by piece instead of being built as one string (which V8 caps at about 512 MiB).
 * Compact: one line per finding and no summary (the caller says it on stderr).
 */
export function* lintTextChunks(
  prefix: string,
  findings: readonly Finding[],
  rulesChecked: number,
  options: LintTextOptions = {},
): Generator<string> {
  const stale = options.staleBaseline ?? [];
  if (options.compact) {
    let piece = "";
    for (const [index, finding] of findings.entries()) {
      piece += `${compactLine(finding)}\n`;
      if ((index + 1) % FINDINGS_PER_CHUNK === 0) {
        yield piece;
        piece = "";
      }
    }
    for (const entry of stale) piece += `${staleLine(entry, true)}\n`;
    if (piece !== "") yield piece;
    return;
  }
  if (findings.length === 0 && stale.length === 0) {
    yield `${prefix}${lintSummary(findings, rulesChecked, options)}\n`;
    return;
  }
  let lines: string[] = [];
  let last = "";
  const explained = new Set<string>();
  for (const [index, finding] of findings.entries()) {
    // One inventory line can render several rules (localhost is three): each gets its heading.
    const heading = finding.rule.trim() === "" ? where(finding) : `${where(finding)}: ${finding.rule.trim()}`;
    if (heading !== last) {
      // The first heading follows the prefix on its line, unless it starts with the same file name (a FILE source).
      if (index === 0)
        lines.push(heading.startsWith(`${prefix.replace(/: $/, "")}:`) ? heading : `${prefix}${heading}`);
      else lines.push("", heading);
      last = heading;
    }
    const others = [...new Set((finding.alsoAt ?? []).map(where))].filter((other) => other !== where(finding));
    const more: [string, string][] = others.length > 0 ? [["also", others.join(", ")]] : [];
    for (const line of findingLines(finding, more, !explained.has(finding.id))) lines.push(line);
    explained.add(finding.id);
    if ((index + 1) % FINDINGS_PER_CHUNK === 0) {
      yield `${lines.join("\n")}\n`;
      lines = [];
    }
  }
  if (stale.length > 0)
    lines.push(
      "",
      `${findings.length === 0 ? prefix : ""}baseline entries that match no finding:`,
      ...stale.map((entry) => staleLine(entry, false)),
    );
  lines.push("", lintSummary(findings, rulesChecked, options));
  yield `${lines.join("\n")}\n`;
}

/** {@link lintTextChunks} as one string, for reports known to be small. */
export function lintText(findings: readonly Finding[], rulesChecked: number, options: LintTextOptions = {}): string {
  return [...lintTextChunks("", findings, rulesChecked, options)].join("").trimEnd();
}

/** Each finding with its fingerprint, for JSON and for a baseline made from a report. */
export const withFingerprint = (finding: Finding) => ({ ...finding, fingerprint: findingFingerprint(finding) });
