import { verifyCertificate } from "../../../pki/verify/verify-certificate.js";
import { type AuditCheck } from "../../audit-check.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { tlsTrustAnchorsFact } from "../../facts/tls-trust-anchors.js";
import { servedCertificates, servedEvidence } from "./served-certificates.js";

/**
 * The served chain does not verify (as OpenSSL's X509_verify_cert for a TLS client, purpose
 * sslserver) to the CA clients trust: --ca or the PKI's roots, else the server's ssl_ca_file.
 * Dates are tls/certificate-expired's: a leaf refused only for its dates is judged again at a
 * time inside them (nearest to now), so one cause makes one finding.
 */
export const certificateUntrusted: AuditCheck = {
  id: "tls/certificate-untrusted",
  title: "The served certificate does not chain to the trusted CA",
  layer: "network",
  severity: "high",
  soc2: ["CC6.7"],
  cis: "6.8",
  scope: "server",
  why: "Clients that verify (sslmode verify-ca/verify-full with that CA) refuse the server; clients that are told to trust it anyway cannot tell it from an impostor.",
  fix: "pgwarden pg tls --conn URL --reload (a server certificate from the pgwarden CA, with its chain)",
  facts: [servedCertificateFact, tlsTrustAnchorsFact],
  run(context) {
    const served = context.fact(servedCertificateFact);
    const anchors = context.fact(tlsTrustAnchorsFact);
    const options = { roots: anchors.certificates, intermediates: served.chain, purpose: "server" as const };
    let result = verifyCertificate(served.leaf, { ...options, now: context.now });
    const [leaf] = servedCertificates(served);
    if (
      !result.ok &&
      result.openssl?.depth === 0 &&
      leaf &&
      /certificate (has expired|is not yet valid)/.test(result.openssl.text)
    ) {
      // The moment inside its dates nearest to now: the last second it was valid, or the first it will be.
      const expired = new Date(leaf.node.validTo).getTime() < context.now.getTime();
      const inside = expired
        ? new Date(new Date(leaf.node.validTo).getTime() - 1000)
        : new Date(new Date(leaf.node.validFrom).getTime() + 1000);
      result = verifyCertificate(served.leaf, { ...options, now: inside });
    }
    if (result.ok || !leaf) return [];
    return [
      {
        subject: "served certificate",
        message: `the served certificate does not verify against ${anchors.from}: ${result.reason ?? "refused"}`,
        evidence: [
          servedEvidence(served, leaf),
          { label: "certificate issuer", value: leaf.node.issuer.replace(/\n/g, ", ") },
          { label: "trusted CA", value: anchors.from },
          ...(result.openssl
            ? [
                {
                  label: "openssl verify",
                  value: `error ${result.openssl.error} at depth ${result.openssl.depth}: ${result.openssl.text}`,
                },
              ]
            : []),
        ],
      },
    ];
  },
};
