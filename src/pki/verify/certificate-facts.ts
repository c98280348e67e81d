import { X509Certificate } from "node:crypto";

import { bitStringFlags, children, type Node, oidText, parseNode, smallInteger, timeSeconds } from "./der-walk.js";
import { type DistinguishedName, parseName, sameName } from "./distinguished-name.js";
import { GEN_DIRNAME, type GeneralName, parseGeneralName, parseGeneralNames } from "./general-name.js";

/** OpenSSL's key usage bits (ex_kusage). */
export const KU = {
  digitalSignature: 0x80,
  nonRepudiation: 0x40,
  keyEncipherment: 0x20,
  keyAgreement: 0x08,
  keyCertSign: 0x04,
  cRLSign: 0x02,
} as const;
/** Netscape certificate type bits (ex_nscert). */
export const NS = { sslClient: 0x80, sslServer: 0x40, sslCa: 0x04, anyCa: 0x07 } as const;

export const OID = {
  subjectKeyId: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  authorityKeyId: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  nsCertType: "2.16.840.1.113730.1.1",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  nsSgc: "2.16.840.1.113730.4.1",
  msSgc: "1.3.6.1.4.1.311.10.3.3",
} as const;

/**
 * The critical extensions OpenSSL 3.0 knows how to enforce (X509_supported_extension);
 * any other critical extension makes a certificate unusable. Note that SKI and AKI are
 * not among them: a critical AKI is refused.
 */
const SUPPORTED_CRITICAL = new Set([
  OID.nsCertType,
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  "2.5.29.32", // certificatePolicies
  "2.5.29.31", // cRLDistributionPoints
  OID.extKeyUsage,
  "1.3.6.1.5.5.7.1.7", // sbgp-ipAddrBlock
  "1.3.6.1.5.5.7.1.8", // sbgp-autonomousSysNum
  "1.3.6.1.5.5.7.48.1.5", // OCSP noCheck
  "2.5.29.36", // policyConstraints
  "1.3.6.1.5.5.7.1.14", // proxyCertInfo
  OID.nameConstraints,
  "2.5.29.33", // policyMappings
  "2.5.29.54", // inhibitAnyPolicy
]);

export interface ExtensionFacts {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Buffer;
}

export interface NameConstraintsFacts {
  readonly permitted: readonly GeneralSubtree[];
  readonly excluded: readonly GeneralSubtree[];
}

export interface GeneralSubtree {
  readonly base: GeneralName;
  /** False when minimum is not 0 or maximum is present, which OpenSSL does not support. */
  readonly plainDistance: boolean;
}

/** What path validation reads from one certificate, parsed once. */
export interface CertificateFacts {
  readonly der: Buffer;
  readonly node: X509Certificate;
  /** 0 for v1, 2 for v3. */
  readonly version: number;
  readonly serial: Buffer;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly extensions: readonly ExtensionFacts[];
  /** An extension is critical and not one OpenSSL enforces. */
  readonly unhandledCritical?: string;
  readonly basicConstraints?: {
    readonly ca: boolean;
    readonly pathLen: number | undefined;
    readonly critical: boolean;
  };
  /** ex_kusage, when the extension is present. */
  readonly keyUsage?: number;
  readonly extKeyUsage?: readonly string[];
  readonly nsCertType?: number;
  readonly subjectAltName?: readonly GeneralName[];
  readonly subjectAltNameCritical: boolean;
  readonly subjectKeyId?: Buffer;
  readonly subjectKeyIdCritical: boolean;
  readonly authorityKeyId?: {
    readonly keyId?: Buffer;
    readonly issuer?: readonly GeneralName[];
    readonly serial?: Buffer;
    readonly critical: boolean;
  };
  readonly nameConstraints?: NameConstraintsFacts;
  /** The certificate's signature algorithm. */
  readonly signatureOid: string;
  /** The outer signatureAlgorithm equals tbsCertificate.signature (DER). */
  readonly signatureAlgorithmsAgree: boolean;
  /** EXFLAG_CA: basicConstraints says CA:TRUE. */
  readonly isCa: boolean;
  /** EXFLAG_SI: subject and issuer names are equal. */
  readonly selfIssued: boolean;
  /** EXFLAG_SS: self-issued, AKI (if any) points at itself, key usage (if any) allows certificate signing. */
  readonly selfSigned: boolean;
}

function parseExtension(node: Node): ExtensionFacts {
  const parts = children(node);
  const oid = oidText((parts[0] as Node).content);
  const critical = parts.length === 3 && parts[1]?.tag === 0x01 && (parts[1].content[0] ?? 0) !== 0;
  return { oid, critical, value: (parts[parts.length - 1] as Node).content };
}

function parseBasicConstraints(value: Buffer, critical: boolean): CertificateFacts["basicConstraints"] {
  const parts = children(parseNode(value));
  const ca = parts[0]?.tag === 0x01 && (parts[0].content[0] ?? 0) !== 0;
  const lengthNode = parts.find((part) => part.tag === 0x02);
  // A negative pathLen is invalid; OpenSSL then treats it as 0.
  const pathLen = lengthNode ? Math.max(0, smallInteger(lengthNode.content)) : undefined;
  return { ca, pathLen, critical };
}

function parseAuthorityKeyId(value: Buffer, critical: boolean): NonNullable<CertificateFacts["authorityKeyId"]> {
  const result: { keyId?: Buffer; issuer?: GeneralName[]; serial?: Buffer; critical: boolean } = { critical };
  for (const part of children(parseNode(value))) {
    if (part.tag === 0x80) result.keyId = part.content;
    else if (part.tag === 0xa1) result.issuer = children(part).map(parseGeneralName);
    else if (part.tag === 0x82) result.serial = part.content;
  }
  return result;
}

function parseSubtrees(node: Node | undefined): GeneralSubtree[] {
  if (!node) return [];
  return children(node).map((subtree) => {
    const [base, ...rest] = children(subtree);
    if (!base) throw new Error("empty GeneralSubtree");
    const plainDistance = rest.every((part) => part.tag === 0x80 && smallInteger(part.content) === 0);
    return { base: parseGeneralName(base), plainDistance };
  });
}

function parseNameConstraints(value: Buffer): NameConstraintsFacts {
  const parts = children(parseNode(value));
  return {
    permitted: parseSubtrees(parts.find((p) => p.tag === 0xa0)),
    excluded: parseSubtrees(parts.find((p) => p.tag === 0xa1)),
  };
}

function parseExtKeyUsage(value: Buffer): string[] {
  return children(parseNode(value)).map((part) => oidText(part.content));
}

/** X509_check_akid: the AKI (if any) does not rule `issuer` out as the issuer. */
export function akidAllows(
  issuer: Pick<CertificateFacts, "subjectKeyId" | "serial" | "issuer">,
  akid: { readonly keyId?: Buffer; readonly issuer?: readonly GeneralName[]; readonly serial?: Buffer } | undefined,
): boolean {
  if (!akid) return true;
  if (akid.keyId && issuer.subjectKeyId && !akid.keyId.equals(issuer.subjectKeyId)) return false;
  if (akid.serial && !stripZeros(akid.serial).equals(stripZeros(issuer.serial))) return false;
  if (akid.issuer) {
    const names = akid.issuer.filter((name) => name.type === GEN_DIRNAME && name.directoryName);
    if (names.length > 0 && !names.some((name) => sameName(name.directoryName as DistinguishedName, issuer.issuer)))
      return false;
  }
  return true;
}

/** The key type each signature algorithm needs (check_sig_alg_match); absent: not judged. */
const SIGNATURE_KEY_TYPES: Record<string, readonly string[]> = {
  "1.2.840.10045.4.3.2": ["ec"],
  "1.2.840.10045.4.3.3": ["ec"],
  "1.2.840.10045.4.3.4": ["ec"],
  "1.2.840.10045.4.1": ["ec"],
  "1.2.840.113549.1.1.5": ["rsa"],
  "1.2.840.113549.1.1.11": ["rsa"],
  "1.2.840.113549.1.1.12": ["rsa"],
  "1.2.840.113549.1.1.13": ["rsa"],
  "1.2.840.113549.1.1.14": ["rsa"],
  "1.2.840.113549.1.1.10": ["rsa", "rsa-pss"],
  "1.3.101.112": ["ed25519"],
  "1.3.101.113": ["ed448"],
};

/** check_sig_alg_match: `subject`'s signature algorithm suits the key type of `issuer`. */
export function signatureFitsKey(
  issuer: Pick<CertificateFacts, "node">,
  subject: Pick<CertificateFacts, "signatureOid">,
): boolean {
  const types = SIGNATURE_KEY_TYPES[subject.signatureOid];
  return types === undefined || types.includes(issuer.node.publicKey.asymmetricKeyType ?? "");
}

function stripZeros(serial: Buffer): Buffer {
  let start = 0;
  while (start < serial.length - 1 && serial[start] === 0) start++;
  return serial.subarray(start);
}

/** Parses a certificate's DER into the facts path validation needs; throws on malformed input. */
export function certificateFacts(der: Buffer): CertificateFacts {
  const node = new X509Certificate(der);
  const [tbs, outerAlgorithm] = children(parseNode(der));
  if (!tbs || !outerAlgorithm) throw new Error("not a certificate");
  const fields = children(tbs);
  let at = 0;
  let version = 0;
  if (fields[0]?.tag === 0xa0) {
    version = smallInteger((children(fields[0])[0] as Node).content);
    at = 1;
  }
  const serial = (fields[at] as Node).content;
  const innerAlgorithm = fields[at + 1] as Node;
  const issuer = parseName(fields[at + 2] as Node);
  const [notBeforeNode, notAfterNode] = children(fields[at + 3] as Node);
  const subject = parseName(fields[at + 4] as Node);
  const extensionsNode = fields.slice(at + 6).find((field) => field.tag === 0xa3);
  const extensions = extensionsNode ? children(children(extensionsNode)[0] as Node).map(parseExtension) : [];
  const find = (oid: string) => extensions.find((ext) => ext.oid === oid);

  const bc = find(OID.basicConstraints);
  const ku = find(OID.keyUsage);
  const eku = find(OID.extKeyUsage);
  const ns = find(OID.nsCertType);
  const san = find(OID.subjectAltName);
  const ski = find(OID.subjectKeyId);
  const aki = find(OID.authorityKeyId);
  const nc = find(OID.nameConstraints);
  const keyUsage = ku ? bitStringFlags(parseNode(ku.value).content) : undefined;
  const basicConstraints = bc ? parseBasicConstraints(bc.value, bc.critical) : undefined;
  const partial = {
    der,
    node,
    version,
    serial,
    issuer,
    subject,
    notBefore: timeSeconds(notBeforeNode as Node),
    notAfter: timeSeconds(notAfterNode as Node),
    extensions,
    unhandledCritical: extensions.find((ext) => ext.critical && !SUPPORTED_CRITICAL.has(ext.oid))?.oid,
    basicConstraints,
    keyUsage,
    extKeyUsage: eku ? parseExtKeyUsage(eku.value) : undefined,
    nsCertType: ns ? (parseNode(ns.value).content[1] ?? 0) : undefined,
    subjectAltName: san ? parseGeneralNames(san.value) : undefined,
    subjectAltNameCritical: san?.critical ?? false,
    subjectKeyId: ski ? parseNode(ski.value).content : undefined,
    subjectKeyIdCritical: ski?.critical ?? false,
    authorityKeyId: aki ? parseAuthorityKeyId(aki.value, aki.critical) : undefined,
    nameConstraints: nc ? parseNameConstraints(nc.value) : undefined,
    signatureAlgorithmsAgree: innerAlgorithm.raw.equals(outerAlgorithm.raw),
    isCa: basicConstraints?.ca === true,
    selfIssued: sameName(subject, issuer),
    selfSigned: false,
  };
  const withAlgorithm = { ...partial, signatureOid: oidText((children(outerAlgorithm)[0] as Node).content) };
  const selfSigned =
    partial.selfIssued &&
    akidAllows(withAlgorithm, partial.authorityKeyId) &&
    signatureFitsKey(withAlgorithm, withAlgorithm);
  return { ...withAlgorithm, selfSigned };
}
