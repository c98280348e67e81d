import { type AuditCheck } from "../../audit-check.js";
import { hbaRulesFact } from "../../facts/hba-rules.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { listensOnTcp, plaintextNetworkRules, ruleEvidence } from "./plaintext-rules.js";

/** ssl = off while rules let clients from the network log in over TCP: all of it in clear text. */
export const tcpRulesWithoutTls: AuditCheck = {
  id: "tls/tcp-rules-without-tls",
  title: "Network logins while TLS is off",
  layer: "network",
  severity: "critical",
  soc2: ["CC6.6", "CC6.7"],
  cis: "5.8",
  scope: "server",
  why: "With ssl off, every session a host rule admits from the network is clear text: its password exchange, queries and results can be read and altered by anyone on the path.",
  fix: "pgwarden pg tls --conn URL --reload (certificate, key and ssl = on), then make these rules hostssl: pgwarden hba apply FILE",
  facts: [settingsFact, hbaRulesFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "ssl") === "on" || !listensOnTcp(settingValue(settings, "listen_addresses"))) return [];
    const rules = plaintextNetworkRules(context.fact(hbaRulesFact).rules);
    if (rules.length === 0) return [];
    return [
      {
        subject: "ssl",
        message: `ssl is off and ${rules.length} rule${rules.length === 1 ? " admits" : "s admit"} logins from the network: every such session is clear text`,
        evidence: [
          settingEvidence(settings, "ssl"),
          settingEvidence(settings, "listen_addresses"),
          ...rules.map(ruleEvidence),
        ],
      },
    ];
  },
};
