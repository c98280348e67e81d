import { SEVERITIES, type Severity } from "../hba/lint/finding.js";

/** What a finding shows a person, whichever check made it (hba lint, password audit). */
export interface ShownFinding {
  readonly severity: Severity;
  readonly id: string;
  readonly message: string;
  readonly why: string;
  readonly fix: string;
}

const LABEL: Readonly<Record<Severity, string>> = { critical: "CRITICAL", high: "HIGH", medium: "MEDIUM", low: "LOW", info: "INFO" };
const INDENT = " ".repeat(11);

/** One finding under its heading: severity and message, then why and the fix (and any further lines) aligned beneath. */
export function findingLines(finding: ShownFinding, more: readonly (readonly [label: string, value: string])[] = []): string[] {
  return [
    `  ${LABEL[finding.severity].padEnd(8)} ${finding.id}: ${finding.message}`,
    `${INDENT}why: ${finding.why}`,
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
