import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { hbaRulesFact } from "../../facts/hba-rules.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { CLIENTCERT_WITHOUT_CA, clientCertificateRules } from "./client-certificate-rules.js";
import { ruleEvidence } from "./plaintext-rules.js";

/**
 * Rules that verify client certificates while ssl_ca_file is empty: the server asks for no
 * client certificate, so `cert` rules refuse everyone; a clientcert= line is refused by
 * PostgreSQL (pg_hba_file_rules shows the error), so the file does not reload and the server
 * would not start.
 */
export const certRulesWithoutCa: AuditCheck = {
  id: "tls/cert-rules-without-ca",
  title: "Client-certificate rules without ssl_ca_file",
  layer: "network",
  severity: "high",
  soc2: ["CC6.1", "A1.2"],
  cis: "6.8",
  scope: "server",
  why: "Without ssl_ca_file the server requests no client certificate: cert rules lock their users out, and a clientcert= option makes pg_hba.conf fail to load (stale rules now, no start after a restart).",
  fix: "pgwarden pg tls --conn URL --reload (installs the client CA as ssl_ca_file), or ALTER SYSTEM SET ssl_ca_file = 'root.crt'; SELECT pg_reload_conf();",
  facts: [settingsFact, hbaRulesFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if ((settingValue(settings, "ssl_ca_file") ?? "") !== "") return [];
    const hba = context.fact(hbaRulesFact);
    const findings: FindingDraft[] = clientCertificateRules(hba.rules).map((rule) => ({
      subject: rule.text,
      message: `${rule.method === "cert" ? "cert rule" : `rule with clientcert=${rule.options.clientcert}`} while ssl_ca_file is empty: no client certificate can pass`,
      evidence: [ruleEvidence(rule), settingEvidence(settings, "ssl_ca_file")],
      source: rule.source,
    }));
    for (const error of hba.errors.filter((entry) => CLIENTCERT_WITHOUT_CA.test(entry.message)))
      findings.push({
        subject: `${error.source.file}:${error.source.line}`,
        message: `PostgreSQL refuses line ${error.source.line}: ${error.message}`,
        evidence: [
          { label: "pg_hba_file_rules error", value: error.message, source: error.source },
          settingEvidence(settings, "ssl_ca_file"),
        ],
        source: error.source,
      });
    return findings;
  },
};
