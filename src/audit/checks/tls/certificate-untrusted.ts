import { verifyCertificate } from "../../../pki/verify/verify-certificate.js";
import { type AuditCheck } from "../../audit-check.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { tlsTrustAnchorsFact } from "../../facts/tls-trust-anchors.js";
import { servedCertificates, servedEvidence } from "./served-certificates.js";

/**
 * The served chain does not verify (as OpenSSL's X509_verify_cert for a TLS client, purpose
 * sslserver) to the CA clients trust: --ca or the PKI's roots, else the server's ssl_ca_file.
 * The chain is judged at the audit's time, as `openssl verify` does; the leaf's own dates are
 * tls/certificate-expired's, so a leaf refused only for them makes no finding here.
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
      // OpenSSL checks dates from the anchor down, so a date error at depth 0 means the chain above the leaf,
      // its extensions, purpose and signatures all passed at the audit's time. Only name constraints (checked
      // after dates) remain: judge those at a moment inside the leaf's dates, and nothing else from that run,
      // since at that moment a CA valid now may not have been (or may no longer be).
      const expired = new Date(leaf.node.validTo).getTime() < context.now.getTime();
      const inside = expired
        ? new Date(new Date(leaf.node.validTo).getTime() - 1000)
        : new Date(new Date(leaf.node.validFrom).getTime() + 1000);
      const shifted = verifyCertificate(served.leaf, { ...options, now: inside });
      const constraint = shifted.checks.find((check) => !check.ok && check.name === "name-constraints");
      result = constraint ? shifted : { ...result, ok: true };
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
