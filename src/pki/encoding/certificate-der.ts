/*
 * The one certificate encoder: {@link signCertificate} assembles and signs every
 * certificate pgwarden makes, roots and leaves alike. The parts that differ from leaf to
 * leaf (subject CN, subject key identifier, SANs, validity) are encoded here directly as
 * DER; the parts that do not (names with O/OU, basic constraints, key usage, extended key
 * usage, authority key identifier, signature algorithm) are encoded with
 * @peculiar/asn1-x509 (`certificate-extensions.ts`), once per batch for leaves. Keeping
 * this file free of the ASN.1 engine lets the worker threads that sign a fleet start
 * without loading it; `certificate-der.test.ts` checks every encoding here byte for byte
 * against the engine's.
 */
import { createHash, KeyObject, sign } from "node:crypto";

import { parseAddress } from "../../core/address.js";
import type { SignatureAlgorithm } from "../keys/key-type.js";
import type { SubjectAltName } from "../names/subject-alt-name.js";
import {
  derBitString,
  derExplicit,
  derImplicit,
  derSequence,
  derTlv,
  readDerElement,
  TAG_GENERALIZED_TIME,
  TAG_INTEGER,
  TAG_OCTET_STRING,
  TAG_SET,
  TAG_UTC_TIME,
  TAG_UTF8_STRING,
} from "./der.js";
import { serialToDer } from "./serial.js";

const OID_COMMON_NAME = Uint8Array.of(0x06, 0x03, 0x55, 0x04, 0x03);
const OID_SUBJECT_KEY_ID = Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x0e);
const OID_SUBJECT_ALT_NAME = Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x11);
/** GeneralName choices (RFC 5280 4.2.1.6), implicitly tagged. */
const GENERAL_NAME_DNS = 2;
const GENERAL_NAME_IP = 7;

/** A Name of one RDN, the CN as a UTF8String: what every leaf pgwarden issues has as its subject. */
export function commonNameDer(commonName: string): Buffer {
  return derSequence(
    derTlv(TAG_SET, derSequence(OID_COMMON_NAME, derTlv(TAG_UTF8_STRING, Buffer.from(commonName, "utf8")))),
  );
}

/** A non-critical Extension: SEQUENCE { extnID, extnValue } (DER omits critical FALSE, the default). */
function extensionDer(oid: Uint8Array, value: Uint8Array): Buffer {
  return derSequence(oid, derTlv(TAG_OCTET_STRING, value));
}

export function subjectKeyIdExtensionDer(keyId: Uint8Array): Buffer {
  return extensionDer(OID_SUBJECT_KEY_ID, derTlv(TAG_OCTET_STRING, keyId));
}

export function subjectAltNameExtensionDer(names: readonly SubjectAltName[]): Buffer {
  const general = names.map((san) =>
    san.type === "dns"
      ? derImplicit(GENERAL_NAME_DNS, Buffer.from(san.value, "ascii"))
      : derImplicit(GENERAL_NAME_IP, ipAddressOctets(san.value)),
  );
  return extensionDer(OID_SUBJECT_ALT_NAME, derSequence(...general));
}

/**
 * The 4 or 16 octets of an IP address as a SAN holds them. Addresses reach here checked
 * by `parseSubjectAltName`; anything else is a programming error, not input to guess at.
 */
export function ipAddressOctets(address: string): Buffer {
  const parsed = parseAddress(address);
  if (!parsed) throw new Error(`not an IP address: ${address}`);
  return Buffer.from(parsed.base.toString(16).padStart(parsed.family === 4 ? 8 : 32, "0"), "hex");
}

/** RFC 5280 4.1.2.5: UTCTime (two-digit year) through 2049, GeneralizedTime from 2050; seconds, Z. */
export function timeDer(date: Date): Buffer {
  const pad = (value: number) => String(value).padStart(2, "0");
  const year = date.getUTCFullYear();
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  return year < 2050
    ? derTlv(TAG_UTC_TIME, Buffer.from(`${pad(year % 100)}${rest}`, "ascii"))
    : derTlv(TAG_GENERALIZED_TIME, Buffer.from(`${year}${rest}`, "ascii"));
}

export function validityDer(notBefore: Date, notAfter: Date): Buffer {
  return derSequence(timeDer(notBefore), timeDer(notAfter));
}

/**
 * The subject key identifier of a public key (a KeyObject, or its SubjectPublicKeyInfo DER):
 * RFC 5280 4.2.1.2 method 1, SHA-1 of the subjectPublicKey BIT STRING's bits. Roots and
 * leaves both take theirs from here.
 */
export function subjectKeyIdentifier(publicKey: KeyObject | Uint8Array): Uint8Array {
  const spki = publicKey instanceof KeyObject ? publicKey.export({ type: "spki", format: "der" }) : publicKey;
  const outer = readDerElement(spki, 0);
  const algorithm = readDerElement(spki, outer.start);
  const bits = readDerElement(spki, algorithm.end);
  // Skip the BIT STRING's unused-bits octet (always 0 for keys).
  return createHash("sha1")
    .update(spki.subarray(bits.start + 1, bits.end))
    .digest();
}

/** The parts of a to-be-signed certificate, each already DER. */
export interface TbsParts {
  readonly serial: string;
  readonly signatureAlgorithm: Uint8Array;
  readonly issuer: Uint8Array;
  readonly validity: Uint8Array;
  readonly subject: Uint8Array;
  readonly subjectPublicKeyInfo: Uint8Array;
  /** Each an encoded Extension, in order. */
  readonly extensions: readonly Uint8Array[];
}

const VERSION_V3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);

/**
 * Assembles the TBSCertificate from its parts, signs it with `issuerKey`, and returns the
 * certificate DER: the one function every certificate pgwarden makes goes through.
 */
export function signCertificate(parts: TbsParts, algorithm: SignatureAlgorithm, issuerKey: KeyObject): Buffer {
  const tbs = derSequence(
    VERSION_V3,
    derTlv(TAG_INTEGER, serialToDer(parts.serial)),
    parts.signatureAlgorithm,
    parts.issuer,
    parts.validity,
    parts.subject,
    parts.subjectPublicKeyInfo,
    derExplicit(3, derSequence(...parts.extensions)),
  );
  return derSequence(tbs, parts.signatureAlgorithm, derBitString(sign(algorithm.hash, tbs, issuerKey)));
}
