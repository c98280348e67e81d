import { X509Certificate } from "node:crypto";

import { type CipherSuite } from "../../facts/tls-cipher-suites.js";

/**
 * Why a suite is broken, in OpenSSL's own cipher-string words (the keyword that selects it), or
 * undefined when it is not: no encryption (eNULL), no authentication (aNULL), export grade,
 * RC4, single or triple DES, RC2, IDEA (64-bit blocks: Sweet32), MD5 as the MAC.
 */
export function weakness(suite: CipherSuite): string | undefined {
  if (suite.encryption === "None") return "eNULL: no encryption";
  if (suite.authentication === "None") return "aNULL: anonymous, no server authentication";
  if (suite.export) return "EXPORT: export-grade keys";
  if (/^RC4/.test(suite.encryption)) return "RC4";
  if (/^3DES/.test(suite.encryption)) return "3DES: 64-bit blocks";
  if (/^DES/.test(suite.encryption)) return "DES: 56-bit key";
  if (/^RC2/.test(suite.encryption)) return "RC2";
  if (/^IDEA/.test(suite.encryption)) return "IDEA: 64-bit blocks";
  if (suite.mac === "MD5") return "MD5 MAC";
  return undefined;
}

/** Ephemeral key exchange (OpenSSL's kECDHE, kDHE, kECDHEPSK, kDHEPSK): a stolen server key does not open recorded sessions. */
export function forwardSecret(suite: CipherSuite): boolean {
  return ["ECDH", "DH", "ECDHEPSK", "DHEPSK", "any"].includes(suite.keyExchange);
}

/** The served certificate's key type as OpenSSL matches suites to it: `rsa`, `ec` (ECDSA, also Ed25519), `dsa`. */
export function certificateKeyKind(leaf: Buffer): "rsa" | "ec" | "dsa" | undefined {
  const type = new X509Certificate(leaf).publicKey.asymmetricKeyType;
  if (type === "rsa" || type === "rsa-pss") return "rsa";
  if (type === "ec" || type === "ed25519" || type === "ed448") return "ec";
  if (type === "dsa") return "dsa";
  return undefined;
}

/**
 * Whether the server can ever pick the suite: OpenSSL offers a suite only when its key has the
 * suite's authentication (Au=RSA needs an RSA key, ECDSA an EC or EdDSA key, DSS a DSA key);
 * anonymous suites need no key; PostgreSQL sets up no PSK or SRP, so those are never picked.
 * Without the served certificate's type (not fetched), every suite but PSK/SRP counts.
 */
export function usableBy(suite: CipherSuite, keyKind: "rsa" | "ec" | "dsa" | undefined): boolean {
  const au = suite.authentication;
  if (au === "PSK" || au === "SRP" || /PSK|SRP/.test(suite.keyExchange)) return false;
  if (au === "None" || keyKind === undefined) return true;
  return (
    (au === "RSA" && keyKind === "rsa") || (au === "ECDSA" && keyKind === "ec") || (au === "DSS" && keyKind === "dsa")
  );
}
