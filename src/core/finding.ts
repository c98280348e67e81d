import { type SourceLocation } from "./source-location.js";

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function parseSeverity(text: string): Severity | undefined {
  return (SEVERITIES as readonly string[]).includes(text) ? (text as Severity) : undefined;
}

/** One thing wrong with one rule: what, where, why it matters, and how to fix it. */
export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  readonly source: SourceLocation;
  /** The rule's text as written. */
  readonly rule: string;
  readonly message: string;
  readonly why: string;
  readonly fix: string;
  /**
   * The other rendered lines of the same source rule this finding stands for (an inventory's
   * `intra` is three CIDRs, one line each): one finding per source rule, the message listing
   * every address. Absent for a finding about one line.
   */
  readonly alsoAt?: readonly { readonly source: SourceLocation; readonly rule: string }[];
}

/** Does any finding (of lint, of the password audit) reach the `--fail-on` severity? */
export function failsAt(findings: readonly { readonly severity: Severity }[], threshold: Severity): boolean {
  return findings.some((finding) => severityRank(finding.severity) >= severityRank(threshold));
}
