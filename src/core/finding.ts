import { type SourceLocation } from "./source-location.js";

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A severity as the text reports show it, before the finding's id: `CRITICAL`, `HIGH`... */
export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  critical: "CRITICAL",
  high: "HIGH",
  medium: "MEDIUM",
  low: "LOW",
  info: "INFO",
};

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function parseSeverity(text: string): Severity | undefined {
  return (SEVERITIES as readonly string[]).includes(text) ? (text as Severity) : undefined;
}

/**
 * What every finding says, whichever check made it (hba lint, the password audit, the live
 * audit to come): which check (`id`), how bad, what is wrong, why it matters and how to fix
 * it. Each kind adds its subject (a rule, a role) and, for what is written in a file, where.
 */
export interface FindingBase {
  readonly id: string;
  readonly severity: Severity;
  /** Never holds a secret. */
  readonly message: string;
  readonly why: string;
  readonly fix: string;
  /** Where the subject is written, for a finding about a file. */
  readonly source?: SourceLocation;
}

/** An hba lint finding: one thing wrong with one rule, at the rule's place. */
export interface Finding extends FindingBase {
  readonly source: SourceLocation;
  /** The rule's text as written. */
  readonly rule: string;
  /**
   * The other rendered lines of the same source rule this finding stands for (an inventory's
   * `intra` is three CIDRs, one line each): one finding per source rule, the message listing
   * every address. Absent for a finding about one line.
   */
  readonly alsoAt?: readonly { readonly source: SourceLocation; readonly rule: string }[];
}

/** Does any finding (of lint, of the password audit) reach the `--fail-on` severity? */
export function failsAt(findings: readonly Pick<FindingBase, "severity">[], threshold: Severity): boolean {
  return findings.some((finding) => severityRank(finding.severity) >= severityRank(threshold));
}
