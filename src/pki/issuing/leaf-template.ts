import "reflect-metadata";

import { AsnConvert } from "@peculiar/asn1-schema";

import type { CertificateAuthority } from "../authority/certificate-authority.js";
import {
  authorityKeyIdExtension,
  basicConstraintsExtension,
  encodeExtension,
  encodeSignatureAlgorithm,
  extendedKeyUsageExtension,
  keyUsageExtension,
} from "../encoding/certificate-extensions.js";
import { formatName } from "../inspect/certificate-info.js";
import { KEY_TYPES, signatureAlgorithmFor } from "../keys/key-type.js";
import { keyUsageFor, LeafSigner, type LeafTemplate } from "./leaf-signer.js";
import type { Profile } from "./profiles.js";

/**
 * What every leaf of one CA and profile shares, encoded once with @peculiar/asn1-x509:
 * the signature algorithm, the issuer's name, basic constraints, key usage (one per
 * kind of key), extended key usage and the authority key identifier. Plain bytes, so a
 * worker thread can sign with it without loading the ASN.1 engine.
 */
export function leafTemplate(ca: CertificateAuthority, profile: Profile): LeafTemplate {
  const keyUsage: Record<string, Uint8Array> = {};
  for (const keyType of KEY_TYPES) {
    const usages = keyUsageFor(keyType);
    keyUsage[usages.join(",")] ??= encodeExtension(keyUsageExtension(usages));
  }
  return {
    issuerSubject: formatName(ca.certificate.subject),
    issuerName: new Uint8Array(AsnConvert.serialize(ca.name)),
    issuerNotAfter: ca.notAfter,
    issuerNotBefore: ca.notBefore,
    signatureAlgorithm: encodeSignatureAlgorithm(signatureAlgorithmFor(ca.key)),
    basicConstraints: encodeExtension(basicConstraintsExtension(false)),
    keyUsage,
    profileExtensions: [
      encodeExtension(extendedKeyUsageExtension(profile.extendedKeyUsage)),
      encodeExtension(authorityKeyIdExtension(ca.keyId)),
    ],
  };
}

/** A signer for leaves of `profile` under `ca`, on this thread. */
export function leafSigner(ca: CertificateAuthority, profile: Profile): LeafSigner {
  return new LeafSigner(leafTemplate(ca, profile), ca.key);
}
