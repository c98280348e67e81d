import "reflect-metadata";

import { X509Certificate } from "node:crypto";

import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from "@peculiar/asn1-x509";

import { ExitCode, PgwardenError } from "../../core/errors.js";
import { normalizeSerial } from "../encoding/serial.js";
import { EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from "../issuing/profiles.js";
import { daysUntil } from "../issuing/validity.js";
import { describeKey } from "../keys/key-type.js";
import type { SubjectAltName } from "../names/subject-alt-name.js";

/** Everything a person wants to know about a certificate, in plain values (JSON-ready). */
export interface CertificateInfo {
  readonly subject: string;
  readonly commonName: string | null;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly daysLeft: number;
  readonly subjectAltNames: SubjectAltName[];
  readonly keyUsage: string[];
  readonly extendedKeyUsage: string[];
  readonly basicConstraints: { ca: boolean; pathLength: number | null } | null;
  readonly keyType: string;
  readonly keyBits: number | null;
  readonly signatureAlgorithm: string;
  readonly subjectKeyId: string | null;
  readonly authorityKeyId: string | null;
  readonly selfSigned: boolean;
  readonly fingerprintSha256: string;
  readonly fingerprintSha1: string;
}

const EKU_NAMES: Record<string, string> = {
  [EKU_SERVER_AUTH]: "serverAuth",
  [EKU_CLIENT_AUTH]: "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
};

const SIGNATURE_NAMES: Record<string, string> = {
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
  "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.3.101.112": "ED25519",
};

const KEY_USAGE_ORDER: (keyof typeof KeyUsageFlags)[] = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
];

/** Node prints names one attribute per line; people read them comma-separated. */
export function formatName(name: string): string {
  return name.split("\n").join(", ");
}

function hexColon(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
    .toString("hex")
    .toUpperCase()
    .replace(/(..)(?=.)/g, "$1:");
}

/** Reads the extensions pgwarden cares about, by OID. */
export function parseExtensions(der: Uint8Array) {
  const cert = AsnConvert.parse(der, Certificate);
  const byOid = new Map(
    (cert.tbsCertificate.extensions ?? []).map((ext) => [ext.extnID, ext.extnValue.buffer] as const),
  );
  const parse = <T>(oid: string, type: new () => T): T | undefined => {
    const value = byOid.get(oid);
    return value === undefined ? undefined : AsnConvert.parse(value, type);
  };
  return {
    certificate: cert,
    subjectAltName: parse("2.5.29.17", SubjectAlternativeName),
    keyUsage: parse("2.5.29.15", KeyUsage),
    extendedKeyUsage: parse("2.5.29.37", ExtendedKeyUsage),
    basicConstraints: parse("2.5.29.19", BasicConstraints),
    subjectKeyId: parse("2.5.29.14", SubjectKeyIdentifier),
    authorityKeyId: parse("2.5.29.35", AuthorityKeyIdentifier),
  };
}

/** What a certificate says; DER that is not an X.509 certificate is invalid input (exit 2), as for `cert inspect`. */
export function describeCertificate(der: Uint8Array, now: Date = new Date()): CertificateInfo {
  let node: X509Certificate;
  let ext: ReturnType<typeof parseExtensions>;
  try {
    node = new X509Certificate(der);
    ext = parseExtensions(der);
  } catch (error) {
    throw new PgwardenError(
      "bad-certificate",
      "the bytes given are not a valid X.509 certificate: give the DER of a certificate",
      ExitCode.usage,
      { cause: error },
    );
  }
  const sans: SubjectAltName[] = [];
  for (const name of ext.subjectAltName ?? []) {
    if (name.dNSName !== undefined) sans.push({ type: "dns", value: name.dNSName });
    else if (name.iPAddress !== undefined) sans.push({ type: "ip", value: name.iPAddress });
  }
  const usageFlags = ext.keyUsage?.toNumber() ?? 0;
  const keyDetails = node.publicKey.asymmetricKeyDetails ?? {};
  const keyType = describeKey(node.publicKey);
  const notAfter = new Date(node.validTo);
  const commonName = /(?:^|\n)CN=([^\n]*)/.exec(node.subject)?.[1] ?? null;
  const signatureOid = ext.certificate.signatureAlgorithm.algorithm;
  return {
    subject: formatName(node.subject),
    commonName,
    issuer: formatName(node.issuer),
    serial: normalizeSerial(node.serialNumber),
    notBefore: new Date(node.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: daysUntil(notAfter, now),
    subjectAltNames: sans,
    keyUsage: ext.keyUsage ? KEY_USAGE_ORDER.filter((name) => usageFlags & KeyUsageFlags[name]) : [],
    extendedKeyUsage: [...(ext.extendedKeyUsage ?? [])].map((oid) => EKU_NAMES[oid] ?? oid),
    basicConstraints: ext.basicConstraints
      ? { ca: ext.basicConstraints.cA, pathLength: ext.basicConstraints.pathLenConstraint ?? null }
      : null,
    keyType,
    keyBits:
      keyDetails.modulusLength ??
      (keyType === "ec-p256" ? 256 : keyType === "ec-p384" ? 384 : keyType === "ed25519" ? 256 : null),
    signatureAlgorithm: SIGNATURE_NAMES[signatureOid] ?? signatureOid,
    subjectKeyId: ext.subjectKeyId ? hexColon(ext.subjectKeyId.buffer) : null,
    authorityKeyId: ext.authorityKeyId?.keyIdentifier ? hexColon(ext.authorityKeyId.keyIdentifier.buffer) : null,
    selfSigned: node.subject === node.issuer && node.checkIssued(node),
    fingerprintSha256: node.fingerprint256,
    fingerprintSha1: node.fingerprint,
  };
}
