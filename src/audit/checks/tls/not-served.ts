import { type AuditCheck } from "../../audit-check.js";
import { servedTlsFact } from "../../facts/served-tls.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/**
 * `ssl = on`, yet no TLS handshake completes: the server answers the SSLRequest with "N" (a reload
 * could not load the certificate or key, so TLS was never turned on) or the handshake fails. Every
 * client then talks in clear text (sslmode prefer) or cannot connect (require and above), while
 * `show ssl` says on.
 */
export const notServed: AuditCheck = {
  id: "tls/not-served",
  title: "ssl is on but the server serves no TLS",
  layer: "network",
  severity: "critical",
  soc2: ["CC6.6", "CC6.7"],
  cis: "6.8",
  scope: "server",
  why: "The setting says TLS, the wire says otherwise: clients with sslmode prefer (the default) fall back to clear text, passwords and data readable by anyone on the path; clients that require TLS are refused. The certificate checks cannot run either.",
  fix: "find why the TLS files did not load (the server log: SSL configuration was not reloaded, or SELECT sourcefile, sourceline, name, error FROM pg_file_settings WHERE error IS NOT NULL), then install a certificate and key: pgwarden pg tls --conn URL --reload",
  facts: [settingsFact, servedTlsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const served = context.fact(servedTlsFact);
    if (settingValue(settings, "ssl") !== "on" || served.served) return [];
    return [
      {
        subject: "ssl",
        message: `ssl is on but the server serves no TLS: ${served.why}`,
        evidence: [
          settingEvidence(settings, "ssl"),
          { label: `handshake with ${served.host}:${served.port}`, value: served.why },
          settingEvidence(settings, "ssl_cert_file"),
          settingEvidence(settings, "ssl_key_file"),
        ],
      },
    ];
  },
};
