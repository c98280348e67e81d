import "reflect-metadata";

/*
 * The parts of certificates that do not change from leaf to leaf, encoded with
 * @peculiar/asn1-x509: names with O/OU, basic constraints, key usage, extended key usage,
 * the authority key identifier and the signature algorithm. `certificate-der.ts` puts them
 * into a certificate (`signCertificate`).
 */
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
} from "@peculiar/asn1-x509";

import type { SignatureAlgorithm } from "../keys/key-type.js";

const OID_COMMON_NAME = "2.5.4.3";
const OID_ORGANIZATION = "2.5.4.10";
const OID_ORGANIZATIONAL_UNIT = "2.5.4.11";
const OID_BASIC_CONSTRAINTS = "2.5.29.19";
const OID_KEY_USAGE = "2.5.29.15";
const OID_EXT_KEY_USAGE = "2.5.29.37";
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

export function authorityKeyIdExtension(keyId: Uint8Array): ExtensionSpec {
  return extension(
    OID_AUTHORITY_KEY_ID,
    false,
    new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) }),
  );
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
