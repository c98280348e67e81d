import { type DerElement, readDerElement, TAG_GENERALIZED_TIME, TAG_UTC_TIME } from "../encoding/der.js";

/**
 * Just enough DER reading for path validation: the elements inside a constructed element,
 * with their raw bytes, so names and addresses are compared byte for byte as OpenSSL does
 * (a generic ASN.1 engine would decode, and lose, the string types and address octets).
 */
export interface Node {
  readonly tag: number;
  /** The whole TLV. */
  readonly raw: Buffer;
  /** The content octets. */
  readonly content: Buffer;
}

function nodeAt(der: Buffer, element: DerElement, offset: number): Node {
  return {
    tag: element.tag,
    raw: der.subarray(offset, element.end),
    content: der.subarray(element.start, element.end),
  };
}

/** The single element that starts at the beginning of `der`. */
export function parseNode(der: Buffer): Node {
  return nodeAt(der, readDerElement(der, 0), 0);
}

/** The elements inside a constructed element's content, in order. */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let offset = 0; offset < node.content.length;) {
    const element = readDerElement(node.content, offset);
    out.push(nodeAt(node.content, element, offset));
    offset = element.end;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER's content octets. */
export function oidText(content: Buffer): string {
  const parts: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

/** A UTCTime or GeneralizedTime, the two forms an X.509 time takes. */
export function isTime(node: Node | undefined): node is Node {
  return node?.tag === TAG_UTC_TIME || node?.tag === TAG_GENERALIZED_TIME;
}

/** Seconds since the epoch of a UTCTime (tag 0x17) or GeneralizedTime (0x18), as X.509 writes them (Zulu). */
export function timeSeconds(node: Node): number {
  const text = node.content.toString("latin1");
  const match =
    node.tag === TAG_UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) throw new Error(`unsupported time ${text}`);
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const year =
    node.tag === TAG_UTC_TIME ? ((y as number) < 50 ? 2000 + (y as number) : 1900 + (y as number)) : (y as number);
  return Date.UTC(year, (mo as number) - 1, d, h, mi, s) / 1000;
}

/** Integer value of a small non-negative INTEGER's content octets (negative: -1). */
export function smallInteger(content: Buffer): number {
  if (content.length === 0 || ((content[0] ?? 0) & 0x80) !== 0) return -1;
  let value = 0;
  for (const byte of content) value = value * 256 + byte;
  return value;
}

/** Bits of a BIT STRING as OpenSSL's key usage reads them: first octet low, second octet high. */
export function bitStringFlags(content: Buffer): number {
  return (content[1] ?? 0) | ((content[2] ?? 0) << 8);
}
