import { type AuditCheck } from "../../audit-check.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { servedCertificates, servedEvidence } from "./served-certificates.js";

/** Signature algorithms whose hash has practical collisions: certificates can be forged under them. */
export const WEAK_SIGNATURES: Readonly<Record<string, string>> = {
  "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.3.14.3.2.29": "sha1WithRSASignature",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10040.4.3": "dsa-with-SHA1",
};

/**
 * A served certificate signed with SHA-1 or MD5: the server's own, or one of its chain that is not
 * self-signed (a root's self-signature is never checked, so it does not matter).
 */
export const certificateWeakSignature: AuditCheck = {
  id: "tls/certificate-weak-signature",
  title: "The served certificate is signed with SHA-1 or MD5",
  layer: "network",
  severity: "high",
  soc2: ["CC6.7"],
  cis: "6.8",
  scope: "server",
  why: "MD5 and SHA-1 collisions are practical (Flame, SHAttered): a forged certificate with the same signature impersonates the server. Clients on OpenSSL 3 (security level 1 and above) refuse to verify a chain that uses them.",
  fix: "pgwarden cert issue --profile server --cn CN --force (SHA-256 or better), then pgwarden pg tls --conn URL --reload",
  facts: [servedCertificateFact],
  run(context) {
    const served = context.fact(servedCertificateFact);
    return servedCertificates(served).flatMap((view) => {
      const weak = WEAK_SIGNATURES[view.facts.signatureOid];
      if (weak === undefined || (!view.leaf && view.facts.selfSigned)) return [];
      return [
        {
          subject: view.subject,
          message: `${view.leaf ? "the served certificate" : `the served chain's ${view.name}`} is signed with ${weak}`,
          evidence: [servedEvidence(served, view), { label: "certificate signature algorithm", value: weak }],
        },
      ];
    });
  },
};
