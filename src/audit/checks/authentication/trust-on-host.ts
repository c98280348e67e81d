import { isLoopbackOnly } from "../../../hba/lint/scope.js";
import { type AuditCheck } from "../../audit-check.js";
import { hbaRulesFact } from "../../facts/hba-rules.js";

/**
 * `trust` on the unix socket or loopback: hba lint leaves these alone (trust-from-network is
 * about the network), but CIS (pgdsat 5.3, 5.4) counts every trust rule as a failure, and on a
 * shared host any local process logs in as any role the rule names, superusers included.
 */
export const trustOnHost: AuditCheck = {
  id: "authentication/trust-on-host",
  title: "trust for connections from this host",
  layer: "authentication",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "5.3",
  scope: "server",
  why: "trust asks nothing: any process on the database host (another service, a compromised application, any OS user) connects through the socket or loopback as any role the rule names, superusers included, and nothing says who it was.",
  fix: "on local lines use peer (the OS user must be the role, or map it with pg_ident.conf); on host lines use scram-sha-256 or cert; then pgwarden hba apply",
  facts: [hbaRulesFact],
  run(context) {
    const seen = new Set<string>();
    return context
      .fact(hbaRulesFact)
      .rules.filter((rule) => rule.method === "trust" && isLoopbackOnly(rule))
      .map((rule) => {
        // Known by its text, as hba lint's baseline knows a rule; a second identical rule by its line too.
        const subject = seen.has(rule.text) ? `${rule.text} (line ${rule.source.line})` : rule.text;
        seen.add(rule.text);
        return {
          subject,
          message: `${rule.type === "local" ? "the unix socket" : (rule.address ?? "this host")} may connect without any authentication`,
          evidence: [{ label: "rule", value: rule.text, source: rule.source }],
          source: rule.source,
          fix: `${withMethod(rule.text, rule.type === "local" ? "peer" : "scram-sha-256")}  (in place of line ${rule.source.line})`,
        };
      });
  },
};

/** The rule with another method: the method is the last `trust` of the text (names before it may be "trust" too). */
function withMethod(text: string, method: string): string {
  const at = text.lastIndexOf(" trust");
  return at < 0 ? text : `${text.slice(0, at)} ${method}${text.slice(at + " trust".length)}`;
}
