import { verify as verifySignature } from "node:crypto";

import { akidAllows, type CertificateFacts } from "./certificate-facts.js";
import { children, isTime, type Node, oidText, parseNode, timeSeconds } from "./der-walk.js";
import { type DistinguishedName, parseName, sameName } from "./distinguished-name.js";
import { type GeneralName, parseGeneralName } from "./general-name.js";

const OID_REASON_CODE = "2.5.29.21";
const OID_CERTIFICATE_ISSUER = "2.5.29.29";
const OID_DELTA_CRL = "2.5.29.27";
const OID_ISSUING_DISTRIBUTION_POINT = "2.5.29.28";
/** The critical CRL extensions OpenSSL handles; any other critical one makes the CRL unusable. */
const HANDLED_CRITICAL = new Set([OID_ISSUING_DISTRIBUTION_POINT, "2.5.29.35", OID_DELTA_CRL]);
/** An entry with this reason (removeFromCRL) does not revoke. */
export const REASON_REMOVE_FROM_CRL = 8;

/** One CRL, parsed for revocation checking. */
export interface RevocationList {
  readonly der: Buffer;
  readonly issuer: DistinguishedName;
  readonly thisUpdate: number;
  readonly nextUpdate: number | undefined;
  /** Serials (INTEGER content, leading zeros stripped, hex) and their reason codes. */
  readonly revoked: ReadonlyMap<string, number | undefined>;
  /** A critical CRL or entry extension that OpenSSL does not handle. */
  readonly unhandledCritical: boolean;
  /** Which critical extension that is (the first met), and whether it is on the CRL or on one of its entries. */
  readonly unhandledCriticalExtension?: { readonly oid: string; readonly on: "crl" | "entry" };
  /** The issuingDistributionPoint's DER value (a SEQUENCE), when the CRL has one: it narrows the CRL's scope. */
  readonly issuingDistributionPoint?: Buffer;
  readonly isDelta: boolean;
  readonly authorityKeyId?: { keyId?: Buffer; issuer?: GeneralName[]; serial?: Buffer };
  readonly tbs: Buffer;
  readonly signatureOid: string;
  readonly signature: Buffer;
}

export function serialKey(content: Buffer): string {
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return content.subarray(start).toString("hex");
}

function extensionList(node: Node | undefined): { oid: string; critical: boolean; value: Buffer }[] {
  if (!node) return [];
  return children(node).map((ext) => {
    const parts = children(ext);
    return {
      oid: oidText((parts[0] as Node).content),
      critical: parts.length === 3 && (parts[1]?.content[0] ?? 0) !== 0,
      value: (parts[parts.length - 1] as Node).content,
    };
  });
}

export function parseRevocationList(der: Buffer): RevocationList {
  const [tbs, algorithm, signature] = children(parseNode(der));
  if (!tbs || !algorithm || !signature) throw new Error("not a CRL");
  const fields = children(tbs);
  let at = fields[0]?.tag === 0x02 ? 1 : 0;
  at++; // signature algorithm
  const issuer = parseName(fields[at++] as Node);
  const thisUpdate = timeSeconds(fields[at++] as Node);
  let nextUpdate: number | undefined;
  if (isTime(fields[at])) nextUpdate = timeSeconds(fields[at++] as Node);
  const revoked = new Map<string, number | undefined>();
  let unhandledCriticalExtension: RevocationList["unhandledCriticalExtension"];
  if (fields[at]?.tag === 0x30) {
    for (const entry of children(fields[at++] as Node)) {
      const [serial, , extensions] = children(entry);
      let reason: number | undefined;
      for (const ext of extensionList(extensions)) {
        if (ext.oid === OID_REASON_CODE) reason = parseNode(ext.value).content[0];
        else if (ext.critical && ext.oid !== OID_CERTIFICATE_ISSUER)
          unhandledCriticalExtension ??= { oid: ext.oid, on: "entry" };
      }
      revoked.set(serialKey((serial as Node).content), reason);
    }
  }
  const crlExtensions = fields[at]?.tag === 0xa0 ? extensionList(children(fields[at] as Node)[0]) : [];
  const unhandledOnCrl = crlExtensions.find((ext) => ext.critical && !HANDLED_CRITICAL.has(ext.oid));
  if (unhandledOnCrl) unhandledCriticalExtension = { oid: unhandledOnCrl.oid, on: "crl" };
  const aki = crlExtensions.find((ext) => ext.oid === "2.5.29.35");
  let authorityKeyId: RevocationList["authorityKeyId"];
  if (aki) {
    authorityKeyId = {};
    for (const part of children(parseNode(aki.value))) {
      if (part.tag === 0x80) authorityKeyId.keyId = part.content;
      else if (part.tag === 0xa1) authorityKeyId.issuer = children(part).map(parseGeneralName);
      else if (part.tag === 0x82) authorityKeyId.serial = part.content;
    }
  }
  return {
    der,
    issuer,
    thisUpdate,
    nextUpdate,
    revoked,
    unhandledCritical: unhandledCriticalExtension !== undefined,
    unhandledCriticalExtension,
    issuingDistributionPoint: crlExtensions.find((ext) => ext.oid === OID_ISSUING_DISTRIBUTION_POINT)?.value,
    isDelta: crlExtensions.some((ext) => ext.oid === OID_DELTA_CRL),
    authorityKeyId,
    tbs: tbs.raw,
    signatureOid: oidText((children(algorithm)[0] as Node).content),
    signature: signature.content.subarray(1),
  };
}

const DIGESTS: Record<string, string | null> = {
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.2.840.113549.1.1.5": "sha1",
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
  "1.3.101.112": null,
  "1.3.101.113": null,
};

/** The CRL's signature verifies with the issuer's key (unknown algorithms do not verify). */
export function crlSignedBy(crl: RevocationList, issuer: CertificateFacts): boolean {
  const digest = DIGESTS[crl.signatureOid];
  if (digest === undefined) return false;
  try {
    return verifySignature(digest, crl.tbs, issuer.node.publicKey, crl.signature);
  } catch {
    return false;
  }
}

/** CRL time validity at `now` (seconds): OpenSSL's check_crl_time. */
export function crlTimeProblem(crl: RevocationList, now: number): "crlNotYetValid" | "crlHasExpired" | undefined {
  if (crl.thisUpdate > now) return "crlNotYetValid";
  if (crl.nextUpdate !== undefined && crl.nextUpdate <= now) return "crlHasExpired";
  return undefined;
}

/**
 * get_crl_sk, simplified to the cases pgwarden meets: a full CRL whose issuer name is the
 * certificate's issuer and whose AKI fits that issuer; the best scores (no unhandled critical
 * extension, then within its dates) win, and the latest thisUpdate among equals.
 */
export function findCrl(
  crls: readonly RevocationList[],
  cert: CertificateFacts,
  issuer: CertificateFacts,
  now: number,
): RevocationList | undefined {
  let best: RevocationList | undefined;
  let bestScore = -1;
  for (const crl of crls) {
    if (crl.isDelta || !sameName(crl.issuer, cert.issuer) || !akidAllows(issuer, crl.authorityKeyId)) continue;
    const score = (crl.unhandledCritical ? 0 : 2) + (crlTimeProblem(crl, now) ? 0 : 1);
    if (score > bestScore || (score === bestScore && best !== undefined && crl.thisUpdate > best.thisUpdate)) {
      best = crl;
      bestScore = score;
    }
  }
  return best;
}
