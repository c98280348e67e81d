/*
 * The few DER envelopes pgwarden assembles itself: around parts that @peculiar/asn1-schema
 * encoded once (where they do not change), and the small per-leaf parts of
 * `certificate-der.ts`, so that a fleet of certificates is not re-serialized field by field
 * through a generic ASN.1 engine. Each TLV is one allocation.
 */

export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_UTF8_STRING = 0x0c;
export const TAG_UTC_TIME = 0x17;
export const TAG_GENERALIZED_TIME = 0x18;
export const TAG_SEQUENCE = 0x30;
export const TAG_SET = 0x31;

/** Octets a DER length takes: one (short form) below 128, else one plus its big-endian octets. */
function lengthSize(length: number): number {
  if (length < 0x80) return 1;
  let size = 1;
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) size++;
  return size;
}

/** One TLV around `parts` (their concatenation is the content), in a single allocation. */
function tlv(tag: number, parts: readonly Uint8Array[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const header = 1 + lengthSize(length);
  const out = Buffer.allocUnsafe(header + length);
  out[0] = tag;
  if (length < 0x80) {
    out[1] = length;
  } else {
    out[1] = 0x80 | (header - 2);
    for (let at = header - 1, rest = length; at >= 2; at--, rest = Math.floor(rest / 256)) out[at] = rest % 256;
  }
  let offset = header;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function derTlv(tag: number, content: Uint8Array): Buffer {
  return tlv(tag, [content]);
}

export function derSequence(...items: Uint8Array[]): Buffer {
  return tlv(TAG_SEQUENCE, items);
}

/** A context-specific constructed (explicit) tag, such as [3] around the extensions. */
export function derExplicit(tagNumber: number, content: Uint8Array): Buffer {
  return tlv(0xa0 | tagNumber, [content]);
}

/** A context-specific primitive (implicit) tag, such as [2] dNSName in a GeneralName. */
export function derImplicit(tagNumber: number, content: Uint8Array): Buffer {
  return tlv(0x80 | tagNumber, [content]);
}

const NO_UNUSED_BITS = Uint8Array.of(0);

/** A BIT STRING of whole bytes (no unused bits), as signatures are. */
export function derBitString(content: Uint8Array): Buffer {
  return tlv(TAG_BIT_STRING, [NO_UNUSED_BITS, content]);
}

export interface DerElement {
  readonly tag: number;
  /** Offset of the content octets. */
  readonly start: number;
  /** Offset just past the content octets. */
  readonly end: number;
}

/** Reads the tag and length at `offset` (definite lengths only, as DER has). */
export function readDerElement(der: Uint8Array, offset: number): DerElement {
  const tag = der[offset] ?? -1;
  let length = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] ?? 0);
    start += count;
  }
  if (tag < 0 || start + length > der.length) throw new Error("truncated DER");
  return { tag, start, end: start + length };
}

/** PEM armour with 64-character lines, as OpenSSL writes it. */
export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
