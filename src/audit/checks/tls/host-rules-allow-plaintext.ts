import { type AuditCheck } from "../../audit-check.js";
import { hbaRulesFact } from "../../facts/hba-rules.js";
import { servedTlsFact } from "../../facts/served-tls.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { listensOnTcp, plaintextNetworkRules, ruleEvidence } from "./plaintext-rules.js";

/** TLS is on, yet a `host` (or `hostnossl`) rule still admits network clients that do not ask for it. */
export const hostRulesAllowPlaintext: AuditCheck = {
  id: "tls/host-rules-allow-plaintext",
  title: "A host rule admits network logins without TLS",
  layer: "network",
  severity: "high",
  soc2: ["CC6.6", "CC6.7"],
  cis: "6.8",
  scope: "server",
  why: "A host rule matches sessions with and without TLS: a client that does not insist on TLS (sslmode prefer, the default) is downgraded to clear text by anyone on the path, who then reads and alters the session.",
  fix: "write the rule as hostssl (pgwarden hba apply FILE), so only TLS sessions match it",
  facts: [settingsFact, hbaRulesFact],
  optionalFacts: [servedTlsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    // With ssl off, tls/tcp-rules-without-tls says it for every such rule at once.
    if (settingValue(settings, "ssl") !== "on" || !listensOnTcp(settingValue(settings, "listen_addresses"))) return [];
    // With ssl on and no TLS served, hostssl would lock every network client out: tls/not-served comes first.
    if (context.optional(servedTlsFact)?.served === false) return [];
    return plaintextNetworkRules(context.fact(hbaRulesFact).rules).map((rule) => ({
      subject: rule.text,
      message: `${rule.type} rule admits ${rule.method} logins from ${rule.address ?? "the network"} without TLS`,
      evidence: [ruleEvidence(rule), settingEvidence(settings, "ssl")],
      fix: `replace line ${rule.source.line} of ${rule.source.file} with: ${rule.text.replace(/^host(nossl|nogssenc)?/, "hostssl")}; then SELECT pg_reload_conf(); (or pgwarden hba apply FILE)`,
      source: rule.source,
    }));
  },
};
