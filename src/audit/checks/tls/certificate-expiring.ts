import { type AuditCheck } from "../../audit-check.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { servedCertificates, servedEvidence } from "./served-certificates.js";

/** Days before notAfter from which a served certificate is reported as expiring. */
export const EXPIRING_WITHIN_DAYS = 30;
const DAY_MS = 86_400_000;

/** A served certificate valid now that expires within 30 days. */
export const certificateExpiring: AuditCheck = {
  id: "tls/certificate-expiring",
  title: `The served certificate expires within ${EXPIRING_WITHIN_DAYS} days`,
  layer: "network",
  severity: "high",
  soc2: ["CC6.7", "A1.2"],
  cis: "6.8",
  scope: "server",
  why: "When it expires, every client that verifies the server is refused: an outage on a known date unless it is renewed and reloaded before.",
  fix: "pgwarden cert renew --cn CN, then pgwarden pg tls --conn URL --reload (PostgreSQL re-reads the files on reload)",
  facts: [servedCertificateFact],
  run(context) {
    const served = context.fact(servedCertificateFact);
    const now = context.now.getTime();
    return servedCertificates(served)
      .filter((view) => {
        const notAfter = new Date(view.node.validTo).getTime();
        return notAfter >= now && notAfter - now <= EXPIRING_WITHIN_DAYS * DAY_MS;
      })
      .map((view) => {
        const notAfter = new Date(view.node.validTo);
        const days = Math.floor((notAfter.getTime() - now) / DAY_MS);
        return {
          subject: view.subject,
          message: `${view.leaf ? "the served certificate" : `the served chain's ${view.name}`} expires in ${days} day${days === 1 ? "" : "s"} (${notAfter.toISOString()})`,
          evidence: [servedEvidence(served, view), { label: "certificate notAfter", value: notAfter.toISOString() }],
        };
      });
  },
};
