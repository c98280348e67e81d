import { libpqHostNameMatch } from "../../../pki/names/host-name.js";
import { type AuditCheck } from "../../audit-check.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { servedCertificates, servedEvidence } from "./served-certificates.js";

/** The host the audit connected to is not a name of the served certificate, as libpq's verify-full decides. */
export const certificateHostMismatch: AuditCheck = {
  id: "tls/certificate-host-mismatch",
  title: "The served certificate does not name the host clients connect to",
  layer: "network",
  severity: "high",
  soc2: ["CC6.7"],
  cis: "6.8",
  scope: "server",
  why: "Clients with sslmode=verify-full refuse the server; so clients settle for verify-ca or require, which accept any certificate of the CA (or any at all): a man in the middle is not detected.",
  fix: "pgwarden cert issue --profile server --cn CN --san HOST --force (the host clients use), then pgwarden pg tls --conn URL --reload",
  facts: [servedCertificateFact],
  run(context) {
    const served = context.fact(servedCertificateFact);
    const [leaf] = servedCertificates(served);
    if (!leaf) return [];
    const verdict = libpqHostNameMatch(leaf.facts, served.host);
    if (verdict.ok) return [];
    const sans = leaf.node.subjectAltName ?? "(no subjectAltName)";
    return [
      {
        subject: served.host,
        message: `sslmode=verify-full to ${served.host} fails: ${verdict.message ?? "the certificate does not name it"}`,
        evidence: [
          servedEvidence(served, leaf),
          { label: "certificate subjectAltName", value: sans },
          { label: "host connected to", value: served.host },
        ],
        fix: `pgwarden cert issue --profile server --cn CN --san ${served.host} --force, then pgwarden pg tls --conn URL --reload`,
      },
    ];
  },
};
