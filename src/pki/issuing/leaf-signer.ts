import { createHash, type KeyObject } from "node:crypto";

import {
  commonNameDer,
  signCertificate,
  subjectAltNameExtensionDer,
  subjectKeyIdentifier,
  subjectKeyIdExtensionDer,
  validityDer,
} from "../encoding/certificate-der.js";
import type { KeyUsageName } from "../encoding/certificate-extensions.js";
import { toPem } from "../encoding/der.js";
import { newSerial } from "../encoding/serial.js";
import { generateEncodedKeyPair } from "../keys/key-encoding.js";
import { type KeyType, type SignatureAlgorithm, signatureAlgorithmFor } from "../keys/key-type.js";
import { formatSubjectAltName, type SubjectAltName } from "../names/subject-alt-name.js";
import { computeValidity } from "./validity.js";

/*
 * Signs leaves, on the main thread or on the worker threads of a batch. It imports no
 * ASN.1 engine: what leaves share comes encoded in a {@link LeafTemplate}
 * (`leaf-template.ts`), and what differs is encoded by `certificate-der.ts`.
 */

/** What every leaf of one issuer and profile shares, as DER; plain data a worker thread can take. */
export interface LeafTemplate {
  /** The issuer's subject as text, for records. */
  readonly issuerSubject: string;
  readonly issuerName: Uint8Array;
  /** A leaf never outlives its issuer. */
  readonly issuerNotAfter: Date;
  /** A leaf is never valid before its issuer. */
  readonly issuerNotBefore?: Date;
  readonly signatureAlgorithm: Uint8Array;
  readonly basicConstraints: Uint8Array;
  /** The keyUsage extension by {@link keyUsageFor}'s list, comma-joined. */
  readonly keyUsage: Readonly<Record<string, Uint8Array>>;
  /** Extended key usage and authority key identifier, in that order. */
  readonly profileExtensions: readonly Uint8Array[];
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
  return createHash("sha256")
    .update(der)
    .digest("hex")
    .toUpperCase()
    .replace(/(..)(?=.)/g, "$1:");
}

/**
 * Signs leaves of one profile under one issuer from its {@link LeafTemplate}; a fleet of
 * certificates costs little more than its key generations and signatures.
 */
export class LeafSigner {
  readonly #template: LeafTemplate;
  readonly #issuerKey: KeyObject;
  readonly #algorithm: SignatureAlgorithm;
  #validity: { key: string; der: Buffer } | undefined;

  constructor(template: LeafTemplate, issuerKey: KeyObject) {
    this.#template = template;
    this.#issuerKey = issuerKey;
    this.#algorithm = signatureAlgorithmFor(issuerKey);
  }

  get issuerSubject(): string {
    return this.#template.issuerSubject;
  }

  /** A new key of `keyType` and its certificate: the CPU part of issuing, no I/O. */
  signNewKey(request: LeafRequest, keyType: KeyType, now: Date): { leaf: SignedLeaf; keyPem: string } {
    const { publicKeyDer, privateKeyPem } = generateEncodedKeyPair(keyType);
    return { leaf: this.sign(request, { spki: publicKeyDer, keyType }, now), keyPem: privateKeyPem };
  }

  sign(request: LeafRequest, subjectKey: SubjectKey, now: Date): SignedLeaf {
    const template = this.#template;
    const validity = computeValidity({
      days: request.days,
      now,
      issuerNotAfter: template.issuerNotAfter,
      issuerNotBefore: template.issuerNotBefore,
    });
    const serial = newSerial();
    const { spki } = subjectKey;
    const keyUsage = template.keyUsage[keyUsageFor(subjectKey.keyType).join(",")];
    if (!keyUsage) throw new Error(`no key usage encoded for ${subjectKey.keyType}`);
    const extensions = [
      template.basicConstraints,
      keyUsage,
      ...template.profileExtensions,
      subjectKeyIdExtensionDer(subjectKeyIdentifier(spki)),
    ];
    if (request.subjectAltNames.length > 0) extensions.push(subjectAltNameExtensionDer(request.subjectAltNames));
    const der = signCertificate(
      {
        serial,
        signatureAlgorithm: template.signatureAlgorithm,
        issuer: template.issuerName,
        validity: this.#validityDer(validity.notBefore, validity.notAfter),
        subject: commonNameDer(request.commonName),
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
    if (this.#validity?.key !== key) this.#validity = { key, der: validityDer(notBefore, notAfter) };
    return this.#validity.der;
  }
}
