import "reflect-metadata";
import { createHash, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  assembleCertificate,
  authorityKeyIdExtension,
  basicConstraintsExtension,
  encodeExtension,
  encodeName,
  encodeSignatureAlgorithm,
  encodeValidity,
  extendedKeyUsageExtension,
  keyIdentifierFromSpki,
  keyUsageExtension,
  subjectAltNameExtension,
  subjectKeyIdExtension,
  type KeyUsageName,
} from "./certificate-builder.js";
import type { CertificateAuthority } from "./certificate-authority.js";
import { toPem } from "./der.js";
import { signatureAlgorithmFor, type SignatureAlgorithm } from "./key-type.js";
import type { Profile } from "./profiles.js";
import { newSerial } from "./serial.js";
import { formatSubjectAltName, type SubjectAltName } from "./subject-alt-name.js";
import { computeValidity } from "./validity.js";

/** The part of a CA a leaf needs: plain data, so it can be handed to a worker thread. */
export interface IssuerData {
  readonly nameDer: Uint8Array;
  readonly keyId: Uint8Array;
  readonly notAfter: Date;
  readonly subject: string;
}

export interface LeafRequest {
  readonly commonName: string;
  readonly subjectAltNames: readonly SubjectAltName[];
  readonly days: number;
}

/** A signed leaf, not yet on disk. */
export interface SignedLeaf {
  readonly serial: string;
  readonly commonName: string;
  readonly subject: string;
  readonly subjectAltNames: string[];
  readonly notBefore: string;
  readonly notAfter: string;
  /** notAfter was cut back to the issuer's. */
  readonly clamped: boolean;
  readonly keyType: string;
  readonly fingerprintSha256: string;
  readonly certPem: string;
}

/** Key usage by key type: RSA keys also encipher (RSA key transport in TLS 1.2). */
export function keyUsageFor(keyType: string): KeyUsageName[] {
  return keyType.startsWith("rsa-") ? ["digitalSignature", "keyEncipherment"] : ["digitalSignature"];
}

/** The subject's public key as a leaf needs it. */
export interface SubjectKey {
  /** SubjectPublicKeyInfo DER. */
  readonly spki: Buffer;
  /** From {@link describeKey}, e.g. `ec-p256`. */
  readonly keyType: string;
}

/** SHA-256 fingerprint as OpenSSL and Node print it: colon-separated uppercase hex. */
export function fingerprintSha256(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex").toUpperCase().replace(/(..)(?=.)/g, "$1:");
}

export function issuerData(ca: CertificateAuthority): IssuerData {
  return {
    nameDer: new Uint8Array(AsnConvert.serialize(ca.name)),
    keyId: ca.keyId,
    notAfter: ca.notAfter,
    subject: ca.certificate.subject.split("\n").join(", "),
  };
}

/**
 * Signs leaves of one profile under one issuer. Everything that is the same for every
 * leaf (signature algorithm, issuer name, basic constraints, EKU, AKI, and the validity
 * of a batch) is encoded once, so a fleet of certificates costs little more than its key
 * generation and signatures.
 */
export class LeafSigner {
  readonly #issuer: IssuerData;
  readonly #issuerKey: KeyObject;
  readonly #algorithm: SignatureAlgorithm;
  readonly #algorithmDer: Buffer;
  readonly #basicConstraints: Buffer;
  readonly #tail: Buffer[];
  readonly #keyUsage = new Map<string, Buffer>();
  #validity: { key: string; der: Buffer } | undefined;

  constructor(issuer: IssuerData, issuerKey: KeyObject, profile: Profile) {
    this.#issuer = issuer;
    this.#issuerKey = issuerKey;
    this.#algorithm = signatureAlgorithmFor(issuerKey);
    this.#algorithmDer = encodeSignatureAlgorithm(this.#algorithm);
    this.#basicConstraints = encodeExtension(basicConstraintsExtension(false));
    this.#tail = [encodeExtension(extendedKeyUsageExtension(profile.extendedKeyUsage)), encodeExtension(authorityKeyIdExtension(issuer.keyId))];
  }

  sign(request: LeafRequest, subjectKey: SubjectKey, now: Date): SignedLeaf {
    const validity = computeValidity({ days: request.days, now, issuerNotAfter: this.#issuer.notAfter });
    const serial = newSerial();
    const { spki } = subjectKey;
    const extensions = [this.#basicConstraints, this.#keyUsageExtension(subjectKey.keyType), ...this.#tail, encodeExtension(subjectKeyIdExtension(keyIdentifierFromSpki(spki)))];
    if (request.subjectAltNames.length > 0) extensions.push(encodeExtension(subjectAltNameExtension(request.subjectAltNames)));
    const der = assembleCertificate(
      {
        serial,
        signatureAlgorithm: this.#algorithmDer,
        issuer: this.#issuer.nameDer,
        validity: this.#validityDer(validity.notBefore, validity.notAfter),
        subject: encodeName({ commonName: request.commonName }),
        subjectPublicKeyInfo: spki,
        extensions,
      },
      this.#algorithm,
      this.#issuerKey,
    );
    return {
      serial,
      commonName: request.commonName,
      subject: `CN=${request.commonName}`,
      subjectAltNames: request.subjectAltNames.map(formatSubjectAltName),
      notBefore: validity.notBefore.toISOString(),
      notAfter: validity.notAfter.toISOString(),
      clamped: validity.clamped,
      keyType: subjectKey.keyType,
      fingerprintSha256: fingerprintSha256(der),
      certPem: toPem(der, "CERTIFICATE"),
    };
  }

  #validityDer(notBefore: Date, notAfter: Date): Buffer {
    const key = `${notBefore.getTime()}/${notAfter.getTime()}`;
    if (this.#validity?.key !== key) this.#validity = { key, der: encodeValidity(notBefore, notAfter) };
    return this.#validity.der;
  }

  #keyUsageExtension(keyType: string): Buffer {
    const usages = keyUsageFor(keyType);
    const cacheKey = usages.join(",");
    let extension = this.#keyUsage.get(cacheKey);
    if (!extension) {
      extension = encodeExtension(keyUsageExtension(usages));
      this.#keyUsage.set(cacheKey, extension);
    }
    return extension;
  }
}
