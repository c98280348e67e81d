import { type AuditCheck } from "../../audit-check.js";
import { hbaRulesFact } from "../../facts/hba-rules.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { clientCertificateRules } from "./client-certificate-rules.js";
import { ruleEvidence } from "./plaintext-rules.js";

/** The server verifies client certificates (ssl_ca_file and cert rules) but has no CRL: a revoked certificate still logs in. */
export const crlMissing: AuditCheck = {
  id: "tls/crl-missing",
  title: "Client certificates are verified without a CRL",
  layer: "network",
  severity: "medium",
  soc2: ["CC6.1"],
  cis: "6.8",
  scope: "server",
  why: "Without ssl_crl_file or ssl_crl_dir the server cannot know a certificate was revoked: a lost laptop's or a departed user's certificate keeps logging in until it expires.",
  fix: "pgwarden crl (writes crl/combined.crl), then pgwarden pg tls --conn URL --reload (installs it as ssl_crl_file)",
  facts: [settingsFact, hbaRulesFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "ssl") !== "on" || (settingValue(settings, "ssl_ca_file") ?? "") === "") return [];
    if ((settingValue(settings, "ssl_crl_file") ?? "") !== "" || (settingValue(settings, "ssl_crl_dir") ?? "") !== "")
      return [];
    const rules = clientCertificateRules(context.fact(hbaRulesFact).rules);
    if (rules.length === 0) return [];
    return [
      {
        subject: "ssl_crl_file",
        message: `${rules.length} rule${rules.length === 1 ? " verifies" : "s verify"} client certificates, and no CRL is configured`,
        evidence: [
          settingEvidence(settings, "ssl_ca_file"),
          settingEvidence(settings, "ssl_crl_file"),
          settingEvidence(settings, "ssl_crl_dir"),
          ...rules.map(ruleEvidence),
        ],
      },
    ];
  },
};
