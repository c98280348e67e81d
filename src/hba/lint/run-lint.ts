import { type Finding, severityRank } from "../../core/finding.js";
import type { HbaRule } from "../model.js";
import { isFileCheck, type LintCheck, type LintContext } from "./lint-rule.js";
import { LINT_CHECKS } from "./rules/index.js";

export const DEFAULT_SUPERUSERS = ["postgres"] as const;

export interface LintResult {
  readonly findings: Finding[];
  readonly rulesChecked: number;
}

/** Runs every check over the rules; findings sorted by file position, then severity. */
export function lintRules(
  rules: readonly HbaRule[],
  context: LintContext,
  checks: readonly LintCheck[] = LINT_CHECKS,
): LintResult {
  const findings: Finding[] = [];
  for (const check of checks) {
    if (isFileCheck(check)) {
      // One push per finding: spreading a file check's list into push() passes every finding as an
      // argument, and a list of ~120,000 (a file of duplicates) overflows the call stack.
      for (const finding of check.checkAll(rules, context)) findings.push(finding);
      continue;
    }
    for (const [index, rule] of rules.entries()) {
      const hit = check.check(rule, context, { rules, index });
      if (hit)
        findings.push({
          id: check.id,
          severity: hit.severity ?? check.severity,
          source: rule.source,
          rule: rule.text,
          message: hit.message,
          why: check.why,
          fix: hit.fix,
        });
    }
  }
  const order = new Map(rules.map((rule, index) => [rule.source, index]));
  findings.sort(
    (a, b) =>
      (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) || severityRank(b.severity) - severityRank(a.severity),
  );
  return { findings, rulesChecked: rules.length };
}
