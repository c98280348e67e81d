import { type Finding, SEVERITIES, type Severity } from "../../core/finding.js";
import { lintRules } from "../lint/run-lint.js";
import type { HbaRule } from "../model.js";
import type { ApplyFacts } from "./server-facts.js";

/** The lint's top severity ("critical"): findings at it stop `hba apply` unless --force. */
export const BLOCKING_SEVERITY: Severity = SEVERITIES[SEVERITIES.length - 1] as Severity;

/** What `hba lint --conn` would find at the top severity in the new rules, judged with the server's superusers and ssl. */
export function blockingFindings(rules: readonly HbaRule[], facts: ApplyFacts): Finding[] {
  return lintRules(rules, { superusers: facts.superusers, ssl: facts.serverSsl }).findings.filter(
    (finding) => finding.severity === BLOCKING_SEVERITY,
  );
}
