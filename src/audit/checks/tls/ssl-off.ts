import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** `ssl = off`: every connection, passwords and data, crosses the network in clear text. */
export const sslOff: AuditCheck = {
  id: "tls/ssl-off",
  title: "TLS is off",
  layer: "network",
  severity: "critical",
  soc2: ["CC6.6", "CC6.7"],
  cis: "6.8",
  scope: "server",
  why: "Without TLS, passwords exchanged by weaker methods, every query and every result cross the network readable and alterable by anyone on the path; clients cannot verify the server.",
  fix: "pgwarden pg tls --conn URL (issues a certificate from the pgwarden CA, installs it and turns ssl on), or set ssl = on with ssl_cert_file/ssl_key_file and reload",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "ssl") === "on") return [];
    return [
      {
        subject: "ssl",
        message: "ssl is off: the server accepts no TLS connection",
        evidence: [settingEvidence(settings, "ssl")],
      },
    ];
  },
};
