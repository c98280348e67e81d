import "reflect-metadata";

import type { KeyObject } from "node:crypto";

import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  Extension,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
} from "@peculiar/asn1-x509";

import { assembleCertificate, keyIdentifierFromSpki, validityDer } from "./certificate-der.js";
import { type SignatureAlgorithm, signatureAlgorithmFor } from "./key-type.js";

const OID_COMMON_NAME = "2.5.4.3";
const OID_ORGANIZATION = "2.5.4.10";
const OID_ORGANIZATIONAL_UNIT = "2.5.4.11";
const OID_BASIC_CONSTRAINTS = "2.5.29.19";
const OID_KEY_USAGE = "2.5.29.15";
const OID_EXT_KEY_USAGE = "2.5.29.37";
const OID_SUBJECT_KEY_ID = "2.5.29.14";
const OID_AUTHORITY_KEY_ID = "2.5.29.35";

/** A subject or issuer as pgwarden writes it: O, OU, CN in that order (as Pigsty's CA). */
export interface DistinguishedName {
  readonly commonName: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
}

export function buildName(dn: DistinguishedName): Name {
  const attribute = (type: string, value: string) =>
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) }),
    ]);
  const rdns: RelativeDistinguishedName[] = [];
  if (dn.organization) rdns.push(attribute(OID_ORGANIZATION, dn.organization));
  if (dn.organizationalUnit) rdns.push(attribute(OID_ORGANIZATIONAL_UNIT, dn.organizationalUnit));
  rdns.push(attribute(OID_COMMON_NAME, dn.commonName));
  return new Name(rdns);
}

/** Key usage bits by name, so callers never handle the flag numbers. */
export type KeyUsageName = "digitalSignature" | "keyEncipherment" | "keyCertSign" | "cRLSign";

export interface ExtensionSpec {
  readonly oid: string;
  readonly critical: boolean;
  /** DER of the extension value (the content of extnValue's OCTET STRING). */
  readonly value: Uint8Array;
}

function extension(oid: string, critical: boolean, value: object): ExtensionSpec {
  return { oid, critical, value: new Uint8Array(AsnConvert.serialize(value)) };
}

export function basicConstraintsExtension(ca: boolean, pathLength?: number): ExtensionSpec {
  const value = ca ? new BasicConstraints({ cA: true, pathLenConstraint: pathLength }) : new BasicConstraints({});
  return extension(OID_BASIC_CONSTRAINTS, true, value);
}

export function keyUsageExtension(usages: readonly KeyUsageName[]): ExtensionSpec {
  const flags = usages.reduce((bits, usage) => bits | KeyUsageFlags[usage], 0);
  return extension(OID_KEY_USAGE, true, new KeyUsage(flags));
}

export function extendedKeyUsageExtension(oids: readonly string[]): ExtensionSpec {
  return extension(OID_EXT_KEY_USAGE, false, new ExtendedKeyUsage([...oids]));
}

export function subjectKeyIdExtension(keyId: Uint8Array): ExtensionSpec {
  return extension(OID_SUBJECT_KEY_ID, false, new SubjectKeyIdentifier(keyId));
}

export function authorityKeyIdExtension(keyId: Uint8Array): ExtensionSpec {
  return extension(
    OID_AUTHORITY_KEY_ID,
    false,
    new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) }),
  );
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
export function keyIdentifier(publicKey: KeyObject): Uint8Array {
  return keyIdentifierFromSpki(publicKey.export({ type: "spki", format: "der" }));
}

/** DER of one Extension: SEQUENCE { extnID, critical, extnValue OCTET STRING }. */
export function encodeExtension(ext: ExtensionSpec): Buffer {
  return Buffer.from(
    AsnConvert.serialize(
      new Extension({ extnID: ext.oid, critical: ext.critical, extnValue: new OctetString(ext.value) }),
    ),
  );
}

export function encodeSignatureAlgorithm(algorithm: SignatureAlgorithm): Buffer {
  return Buffer.from(
    AsnConvert.serialize(
      new AlgorithmIdentifier({
        algorithm: algorithm.oid,
        parameters: algorithm.nullParameters ? new Uint8Array([0x05, 0x00]).buffer : undefined,
      }),
    ),
  );
}

export interface CertificateSpec {
  /** Hex serial from {@link newSerial}. */
  readonly serial: string;
  readonly subject: Name;
  readonly issuer: Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  readonly extensions: readonly ExtensionSpec[];
}

/** Encodes and signs an X.509 v3 certificate (a root, or any one-off); returns its DER. */
export function signCertificate(spec: CertificateSpec, issuerKey: KeyObject): Buffer {
  const algorithm = signatureAlgorithmFor(issuerKey);
  return assembleCertificate(
    {
      serial: spec.serial,
      signatureAlgorithm: encodeSignatureAlgorithm(algorithm),
      issuer: Buffer.from(AsnConvert.serialize(spec.issuer)),
      validity: validityDer(spec.notBefore, spec.notAfter),
      subject: Buffer.from(AsnConvert.serialize(spec.subject)),
      subjectPublicKeyInfo: spec.publicKey.export({ type: "spki", format: "der" }),
      extensions: spec.extensions.map(encodeExtension),
    },
    algorithm,
    issuerKey,
  );
}
