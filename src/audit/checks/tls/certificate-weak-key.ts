import { type KeyObject } from "node:crypto";

import { type AuditCheck } from "../../audit-check.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { servedCertificates, servedEvidence } from "./served-certificates.js";

/** Smallest sizes that hold: RSA and DSA 2048 bits (NIST SP 800-131A), EC 256 bits. */
export const MIN_RSA_BITS = 2048;
export const MIN_EC_BITS = 256;

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime192v1: 192,
  secp192k1: 192,
  secp224r1: 224,
  secp224k1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

/** The key's type and size in bits, and whether that is too small; undefined for keys with no size to judge (Ed25519). */
export function keyStrength(publicKey: KeyObject): { text: string; weak: boolean } | undefined {
  const type = publicKey.asymmetricKeyType;
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (type === "rsa" || type === "rsa-pss" || type === "dsa") {
    const bits = details.modulusLength ?? 0;
    return { text: `${type.toUpperCase()} ${bits} bits`, weak: bits < MIN_RSA_BITS };
  }
  if (type === "ec") {
    const curve = details.namedCurve ?? "unknown curve";
    const bits = CURVE_BITS[curve] ?? 0;
    return { text: `EC ${curve} (${bits || "?"} bits)`, weak: bits < MIN_EC_BITS };
  }
  return undefined;
}

/** A served certificate (the server's or its chain's) whose key is too small: RSA/DSA < 2048, EC < 256. */
export const certificateWeakKey: AuditCheck = {
  id: "tls/certificate-weak-key",
  title: "The served certificate's key is too small",
  layer: "network",
  severity: "high",
  soc2: ["CC6.7"],
  cis: "6.8",
  scope: "server",
  why: "A key below RSA 2048 or EC 256 bits can be factored or solved with affordable computing: whoever does it impersonates the server (or, for a CA key, signs any certificate).",
  fix: "pgwarden cert issue --profile server --cn CN --key-type ec-p256 --force, then pgwarden pg tls --conn URL --reload",
  facts: [servedCertificateFact],
  run(context) {
    const served = context.fact(servedCertificateFact);
    return servedCertificates(served).flatMap((view) => {
      const strength = keyStrength(view.node.publicKey);
      if (!strength?.weak) return [];
      return [
        {
          subject: view.subject,
          message: `${view.leaf ? "the served certificate" : `the served chain's ${view.name}`} has a ${strength.text} key`,
          evidence: [servedEvidence(served, view), { label: "certificate public key", value: strength.text }],
        },
      ];
    });
  },
};
