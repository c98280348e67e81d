import "reflect-metadata";
import { createHash, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Name } from "@peculiar/asn1-x509";
import {
  authorityKeyIdExtension,
  basicConstraintsExtension,
  buildName,
  extendedKeyUsageExtension,
  keyIdentifier,
  keyUsageExtension,
  signCertificate,
  subjectAltNameExtension,
  subjectKeyIdExtension,
  type ExtensionSpec,
  type KeyUsageName,
} from "./certificate-builder.js";
import type { CertificateAuthority } from "./certificate-authority.js";
import { toPem } from "./der.js";
import { describeKey } from "./key-type.js";
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

/** Key usage by profile and key type: RSA keys also encipher (RSA key transport). */
export function keyUsageFor(publicKey: KeyObject): KeyUsageName[] {
  return publicKey.asymmetricKeyType === "rsa" ? ["digitalSignature", "keyEncipherment"] : ["digitalSignature"];
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
 * leaf (issuer name, basic constraints, EKU, AKI) is encoded once, so a fleet of
 * certificates costs little more than its key generation and signatures.
 */
export class LeafSigner {
  readonly #issuer: IssuerData;
  readonly #issuerName: Name;
  readonly #issuerKey: KeyObject;
  readonly #profile: Profile;
  readonly #fixedExtensions: ExtensionSpec[];
  readonly #keyUsage = new Map<string, ExtensionSpec>();

  constructor(issuer: IssuerData, issuerKey: KeyObject, profile: Profile) {
    this.#issuer = issuer;
    this.#issuerName = AsnConvert.parse(issuer.nameDer, Name);
    this.#issuerKey = issuerKey;
    this.#profile = profile;
    this.#fixedExtensions = [
      basicConstraintsExtension(false),
      extendedKeyUsageExtension(profile.extendedKeyUsage),
      authorityKeyIdExtension(issuer.keyId),
    ];
  }

  get profile(): Profile {
    return this.#profile;
  }

  sign(request: LeafRequest, publicKey: KeyObject, now: Date): SignedLeaf {
    const validity = computeValidity({ days: request.days, now, issuerNotAfter: this.#issuer.notAfter });
    const serial = newSerial();
    const extensions = [
      this.#fixedExtensions[0] as ExtensionSpec,
      this.#keyUsageExtension(publicKey),
      ...this.#fixedExtensions.slice(1),
      subjectKeyIdExtension(keyIdentifier(publicKey)),
    ];
    if (request.subjectAltNames.length > 0) extensions.push(subjectAltNameExtension(request.subjectAltNames));
    const der = signCertificate(
      {
        serial,
        subject: buildName({ commonName: request.commonName }),
        issuer: this.#issuerName,
        notBefore: validity.notBefore,
        notAfter: validity.notAfter,
        publicKey,
        extensions,
      },
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
      keyType: describeKey(publicKey),
      fingerprintSha256: fingerprintSha256(der),
      certPem: toPem(der, "CERTIFICATE"),
    };
  }

  #keyUsageExtension(publicKey: KeyObject): ExtensionSpec {
    const usages = keyUsageFor(publicKey);
    const cacheKey = usages.join(",");
    let extension = this.#keyUsage.get(cacheKey);
    if (!extension) {
      extension = keyUsageExtension(usages);
      this.#keyUsage.set(cacheKey, extension);
    }
    return extension;
  }
}
