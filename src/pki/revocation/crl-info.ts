import { decodePemBlocks } from "../encoding/pem.js";
import { children, type Node, oidText, parseNode } from "../verify/der-walk.js";
import { nameText } from "../verify/distinguished-name.js";
import { parseRevocationList } from "../verify/revocation-list.js";

/** What `crl status` and `ca show` tell of one CRL. */
export interface CrlInfo {
  /** The issuer's subject, as text. */
  readonly issuer: string;
  /** The CRL number, when it has one. */
  readonly number?: number;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly entries: number;
  /** The authority key identifier (hex), when it has one. */
  readonly authorityKeyId?: string;
}

const OID_CRL_NUMBER = "2.5.29.20";

/** The cRLNumber extension's value, read from the TBSCertList's [0] extensions. */
function crlNumberOf(der: Buffer): number | undefined {
  const tbs = children(parseNode(der))[0] as Node;
  const wrapped = children(tbs).find((field) => field.tag === 0xa0);
  if (!wrapped) return undefined;
  for (const extension of children(children(wrapped)[0] as Node)) {
    const parts = children(extension);
    if (oidText((parts[0] as Node).content) !== OID_CRL_NUMBER) continue;
    const value = parseNode((parts[parts.length - 1] as Node).content).content;
    const number = Number.parseInt(value.toString("hex") || "0", 16);
    return Number.isSafeInteger(number) ? number : undefined;
  }
  return undefined;
}

/** Reads one CRL (DER); throws on a CRL that cannot be parsed. */
export function crlInfo(der: Buffer): CrlInfo {
  const crl = parseRevocationList(der);
  const number = crlNumberOf(der);
  return {
    issuer: nameText(crl.issuer),
    ...(number === undefined ? {} : { number }),
    thisUpdate: new Date(crl.thisUpdate * 1000),
    ...(crl.nextUpdate === undefined ? {} : { nextUpdate: new Date(crl.nextUpdate * 1000) }),
    entries: crl.revoked.size,
    ...(crl.authorityKeyId?.keyId ? { authorityKeyId: crl.authorityKeyId.keyId.toString("hex") } : {}),
  };
}

/** The first `X509 CRL` block of a PEM text, parsed, or undefined when there is none or it cannot be parsed. */
export function crlInfoOfPem(text: string): CrlInfo | undefined {
  const block = decodePemBlocks(text).find((candidate) => candidate.label === "X509 CRL");
  if (!block) return undefined;
  try {
    return crlInfo(block.der);
  } catch {
    return undefined;
  }
}

/**
 * The CRL number of the first `X509 CRL` block of a PEM text, without reading its entries (cheap for
 * a CRL of 100,000): undefined when there is no CRL block, it cannot be parsed, or it has no number.
 */
export function crlNumberOfPem(text: string): number | undefined {
  const block = decodePemBlocks(text).find((candidate) => candidate.label === "X509 CRL");
  if (!block) return undefined;
  try {
    return crlNumberOf(block.der);
  } catch {
    return undefined;
  }
}
