import { type AuditCheck } from "../../audit-check.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { serverTlsFilesFact } from "../../facts/server-tls-files.js";
import { servedCertificates, servedEvidence } from "./served-certificates.js";

/**
 * A served certificate past its notAfter (or before its notBefore): every client that verifies
 * refuses the server. Also puts the served chain and ssl_ca_file's certificates on the timeline.
 */
export const certificateExpired: AuditCheck = {
  id: "tls/certificate-expired",
  title: "The served certificate has expired",
  layer: "network",
  severity: "critical",
  soc2: ["CC6.7", "A1.2"],
  cis: "6.8",
  scope: "server",
  why: "Clients that verify the server (sslmode verify-ca/verify-full) refuse it, so they are down; clients that do not verify keep going with a certificate nobody vouches for any more.",
  fix: "pgwarden cert renew --cn CN (or cert issue), then pgwarden pg tls --conn URL --reload to install and serve it",
  facts: [servedCertificateFact],
  optionalFacts: [serverTlsFilesFact],
  run(context) {
    const served = context.fact(servedCertificateFact);
    const views = servedCertificates(served);
    for (const view of views)
      context.sawCertificate({
        seenAt: "served on the wire",
        subject: view.name,
        serial: view.serial,
        notBefore: new Date(view.node.validFrom).toISOString(),
        notAfter: new Date(view.node.validTo).toISOString(),
      });
    const caFile = context.optional(serverTlsFilesFact)?.caFile;
    for (const der of caFile?.certificates ?? []) {
      const [view] = servedCertificates({ ...served, leaf: der, chain: [] });
      if (view)
        context.sawCertificate({
          seenAt: caFile?.path ?? "ssl_ca_file",
          subject: view.name,
          serial: view.serial,
          notBefore: new Date(view.node.validFrom).toISOString(),
          notAfter: new Date(view.node.validTo).toISOString(),
        });
    }
    const now = context.now.getTime();
    return views
      .filter((view) => new Date(view.node.validTo).getTime() < now || new Date(view.node.validFrom).getTime() > now)
      .map((view) => {
        const expired = new Date(view.node.validTo).getTime() < now;
        return {
          subject: view.subject,
          message: expired
            ? `${view.leaf ? "the served certificate" : `the served chain's ${view.name}`} expired on ${new Date(view.node.validTo).toISOString()}`
            : `${view.leaf ? "the served certificate" : `the served chain's ${view.name}`} is not valid before ${new Date(view.node.validFrom).toISOString()}`,
          evidence: [
            servedEvidence(served, view),
            { label: "certificate notBefore", value: new Date(view.node.validFrom).toISOString() },
            { label: "certificate notAfter", value: new Date(view.node.validTo).toISOString() },
          ],
        };
      });
  },
};
