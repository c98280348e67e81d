import { type Finding } from "../../../core/finding.js";
import { ALL_CHECKS as LINT_CHECKS } from "../../../hba/lint/known-checks.js";
import { lintSource } from "../../../hba/lint/lint-source.js";
import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { authLintContextFact } from "../../facts/auth-lint-context.js";
import { hbaRulesFact } from "../../facts/hba-rules.js";
import { servedTlsFact } from "../../facts/served-tls.js";
import { settingsFact, settingValue } from "../../facts/settings.js";

const LINT_TITLES: ReadonlyMap<string, string> = new Map(LINT_CHECKS.map((check) => [check.id, check.title]));

/** What `hba lint` never asks of a server: a baseline is a file of the person's, not the audit's. */
function noBaseline(): never {
  throw new Error("the audit's hba lint reads and writes no baseline");
}

/**
 * Every `hba lint` finding on the rules the server reads (pg_hba_file_rules), through the same
 * code as `pgwarden hba lint --conn`: the same checks, in the same server context (its
 * superusers, ssl and ident maps). Lines the server cannot read are findings too (hba/parse-error).
 */
export const hbaLint: AuditCheck = {
  id: "authentication/hba-lint",
  title: "Access rules hba lint finds risky",
  layer: "authentication",
  severity: "high",
  soc2: ["CC6.1", "CC6.6"],
  cis: "5.4",
  scope: "server",
  why: "pg_hba.conf decides who may try to log in, from where and how they prove who they are: a rule that trusts the network, sends passwords in clear or lets superusers in from anywhere opens the server whatever the passwords are.",
  fix: "change the rule as the finding's fix says, then check the whole file with pgwarden hba lint --conn URL and load it with pgwarden hba apply",
  facts: [hbaRulesFact, authLintContextFact],
  optionalFacts: [servedTlsFact, settingsFact],
  async run(context) {
    const file = context.fact(hbaRulesFact);
    const { findings } = await lintSource(
      { failOn: "critical" },
      {
        load: () =>
          Promise.resolve({ label: "the server's pg_hba.conf", file, context: context.fact(authLintContextFact) }),
        readBaseline: noBaseline,
        writeBaseline: noBaseline,
        // As hba lint --conn: # pgwarden:ignore comments are honoured only in a file given as FILE.
        linesOf: () => () => undefined,
        onWarning: () => undefined,
        onInfo: () => undefined,
      },
    );
    const subjects = new Set<string>();
    // ssl on but nothing served (tls/not-served): a fix that moves logins to hostssl or cert would lock everyone out.
    const settings = context.optional(settingsFact);
    const tlsDown =
      context.optional(servedTlsFact)?.served === false &&
      settings !== undefined &&
      settingValue(settings, "ssl") === "on";
    return findings.map((finding) => {
      const draft = draftOf(finding, subjects);
      return tlsDown && /\b(hostssl|cert|clientcert)\b/.test(draft.fix ?? "")
        ? {
            ...draft,
            fix: `first make the server serve TLS again (tls/not-served: it serves none now), then: ${draft.fix}`,
          }
        : draft;
    });
  },
};

/** One lint finding as an audit finding of its own rule: `hba/<lint rule id>`, at the rule's file:line. */
function draftOf(finding: Finding, subjects: Set<string>): FindingDraft {
  const id = `hba/${finding.id}`;
  const text = finding.rule.trim() === "" ? finding.message : finding.rule.trim().split(/\s+/).join(" ");
  // Known by the rule's text, as lint's baseline knows it, so moving a line keeps the finding; a second identical rule by its line.
  let subject = text;
  if (subjects.has(`${id}\n${subject}`)) subject = `${text} (line ${finding.source.line})`;
  subjects.add(`${id}\n${subject}`);
  return {
    id,
    title: LINT_TITLES.get(finding.id) ?? finding.id,
    subject,
    severity: finding.severity,
    message: finding.message,
    why: finding.why,
    fix: finding.fix,
    source: finding.source,
    evidence: [
      finding.rule === ""
        ? { label: "pg_hba.conf line", value: finding.message, source: finding.source }
        : { label: "rule", value: finding.rule, source: finding.source },
      ...(finding.alsoAt ?? []).map((other) => ({ label: "rule", value: other.rule, source: other.source })),
    ],
  };
}
