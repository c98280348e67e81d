import { type KeyObject, sign } from "node:crypto";

import { timeDer } from "../encoding/certificate-der.js";
import {
  authorityKeyIdExtension,
  encodeExtension,
  encodeSignatureAlgorithm,
} from "../encoding/certificate-extensions.js";
import {
  derBitString,
  derExplicit,
  derSequence,
  derTlv,
  readDerElement,
  TAG_INTEGER,
  TAG_OCTET_STRING,
  TAG_SEQUENCE,
} from "../encoding/der.js";
import { serialToDer } from "../encoding/serial.js";
import { signatureAlgorithmFor } from "../keys/key-type.js";

/*
 * The CRL encoder: a v2 X.509 CRL (RFC 5280 5.1) assembled as DER by hand, like the leaves
 * in `certificate-der.ts`, because a generic ASN.1 engine takes seconds for 100,000 entries
 * and this takes milliseconds. The constant parts (signature algorithm, AKI) go through
 * @peculiar/asn1-x509 once per CRL; `crl-writer.test.ts` checks the result with `openssl crl`.
 */

const TAG_ENUMERATED = 0x0a;
const VERSION_V2 = Uint8Array.of(TAG_INTEGER, 0x01, 0x01);
/** id-ce-cRLNumber, 2.5.29.20. */
const OID_CRL_NUMBER = Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x14);
/** id-ce-cRLReasons, 2.5.29.21. */
const OID_REASON_CODE = Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x15);
/** CRLReason unspecified: its entry carries no reasonCode extension, as RFC 5280 5.3.1 advises. */
const REASON_UNSPECIFIED = 0;

/** One revoked certificate in a CRL. */
export interface CrlEntry {
  /** Hex, any form {@link serialToDer} reads. */
  readonly serial: string;
  readonly revokedAt: Date;
  /** RFC 5280 CRLReason code (0 unspecified, 1 keyCompromise, ...). */
  readonly reasonCode: number;
}

/** What one CRL says and who signs it. */
export interface CrlContent {
  /** The issuer's subject Name, DER, exactly as in its certificate. */
  readonly issuerName: Uint8Array;
  /** The issuer's subject key identifier, the CRL's authority key identifier. */
  readonly issuerKeyId: Uint8Array;
  /** The issuer's private key. */
  readonly issuerKey: KeyObject;
  /** The CRL number, positive. */
  readonly number: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly CrlEntry[];
}

/** The subject Name of a certificate, DER, byte for byte (to copy into a CRL's issuer field). */
export function certificateSubjectDer(certificate: Uint8Array): Buffer {
  const outer = readDerElement(certificate, 0);
  const tbs = readDerElement(certificate, outer.start);
  let offset = tbs.start;
  const first = readDerElement(certificate, offset);
  // [0] version is optional (v1 certificates have none): serial, signature, issuer, validity come next.
  if (first.tag === 0xa0) offset = first.end;
  for (let skip = 0; skip < 4; skip++) offset = readDerElement(certificate, offset).end;
  const subject = readDerElement(certificate, offset);
  return Buffer.from(certificate.subarray(offset, subject.end));
}

function extensionDer(oid: Uint8Array, value: Uint8Array): Buffer {
  return derSequence(oid, derTlv(TAG_OCTET_STRING, value));
}

/** Entries that share a revocation second share its encoded time. */
function entriesDer(entries: readonly CrlEntry[]): Buffer[] {
  const times = new Map<number, Buffer>();
  const reasons = new Map<number, Buffer>();
  return entries.map((entry) => {
    const second = Math.floor(entry.revokedAt.getTime() / 1000);
    let time = times.get(second);
    if (!time) times.set(second, (time = timeDer(entry.revokedAt)));
    const serial = derTlv(TAG_INTEGER, serialToDer(entry.serial));
    if (entry.reasonCode === REASON_UNSPECIFIED) return derSequence(serial, time);
    let reason = reasons.get(entry.reasonCode);
    if (!reason)
      reasons.set(
        entry.reasonCode,
        (reason = derSequence(extensionDer(OID_REASON_CODE, derTlv(TAG_ENUMERATED, Uint8Array.of(entry.reasonCode))))),
      );
    return derSequence(serial, time, reason);
  });
}

/** The DER of a signed v2 CRL with a CRL number and an authority key identifier. */
export function encodeCrl(content: CrlContent): Buffer {
  if (!Number.isSafeInteger(content.number) || content.number < 1)
    throw new Error(`CRL number must be a positive integer, not ${content.number}`);
  const algorithm = signatureAlgorithmFor(content.issuerKey);
  const algorithmDer = encodeSignatureAlgorithm(algorithm);
  const entries = entriesDer(content.entries);
  const extensions = derExplicit(
    0,
    derSequence(
      encodeExtension(authorityKeyIdExtension(content.issuerKeyId)),
      extensionDer(OID_CRL_NUMBER, derTlv(TAG_INTEGER, serialToDer(content.number.toString(16)))),
    ),
  );
  const tbs = derSequence(
    VERSION_V2,
    algorithmDer,
    content.issuerName,
    timeDer(content.thisUpdate),
    timeDer(content.nextUpdate),
    // An empty revokedCertificates is left out, not written as an empty SEQUENCE (RFC 5280 5.1.2.6).
    ...(entries.length > 0 ? [derTlv(TAG_SEQUENCE, Buffer.concat(entries))] : []),
    extensions,
  );
  return derSequence(tbs, algorithmDer, derBitString(sign(algorithm.hash, tbs, content.issuerKey)));
}
