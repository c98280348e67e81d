import { SEVERITIES, type Severity, SEVERITY_LABEL } from "../core/finding.js";

/** What a finding shows a person, whichever check made it (hba lint, password audit). */
export interface ShownFinding {
  readonly severity: Severity;
  readonly id: string;
  readonly message: string;
  readonly why: string;
  readonly fix: string;
}

const INDENT = " ".repeat(11);

/**
 * One finding under its heading: severity and message, then why and the fix (and any further lines)
 * aligned beneath. `showWhy: false` leaves out why, for a report that gives it once per check id.
 */
export function findingLines(
  finding: ShownFinding,
  more: readonly (readonly [label: string, value: string])[] = [],
  showWhy = true,
): string[] {
  return [
    `  ${SEVERITY_LABEL[finding.severity].padEnd(8)} ${finding.id}: ${finding.message}`,
    ...(showWhy ? [`${INDENT}why: ${finding.why}`] : []),
    `${INDENT}fix: ${finding.fix}`,
    ...more.map(([label, value]) => `${INDENT}${label}: ${value}`),
  ];
}

/** `2 high, 1 low`: how many findings of each severity, the worst first. */
export function severityCounts(findings: readonly { readonly severity: Severity }[]): string {
  const count = new Map<Severity, number>();
  for (const finding of findings) count.set(finding.severity, (count.get(finding.severity) ?? 0) + 1);
  return [...SEVERITIES]
    .reverse()
    .filter((severity) => count.has(severity))
    .map((severity) => `${count.get(severity)} ${severity}`)
    .join(", ");
}

/** SGR colours for the severities a person must not miss: bold red for critical, red for high. */
const COLOUR: Partial<Readonly<Record<Severity, string>>> = { critical: "\u001b[1;31m", high: "\u001b[31m" };
const RESET = "\u001b[0m";
/** A finding's first line in a report (`  HIGH     id: ...`) and a compact line (`file:12: high id: ...`). */
const REPORT_LABEL = /^( {2})(CRITICAL|HIGH)( )/;
const COMPACT_LABEL = /^(.*?:\d+: )(critical|high)( [\w-]+: )/;

/**
 * Colours the severity label of finding lines when critical or high, in text already escaped for
 * a terminal, so the escapes added are the only ones. Other lines (headings, rule text) are untouched.
 */
export function colourSeverities(text: string): string {
  const paint = (_: string, before: string, label: string, after: string) =>
    `${before}${COLOUR[label.toLowerCase() as Severity] ?? ""}${label}${RESET}${after}`;
  return text
    .split("\n")
    .map((line) => (REPORT_LABEL.test(line) ? line.replace(REPORT_LABEL, paint) : line.replace(COMPACT_LABEL, paint)))
    .join("\n");
}

/**
 * Whether to colour: only a terminal, and never with NO_COLOR set to anything (no-color.org) or
 * --no-color; FORCE_COLOR is not honoured, so a pipe never gets escapes.
 */
export function useColour(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  return stream.isTTY === true && !noColorFlag && (env.NO_COLOR === undefined || env.NO_COLOR === "");
}
