/**
 * The few DER envelopes pgwarden assembles itself around parts that @peculiar/asn1-schema
 * encoded (once, where they do not change), so that a fleet of certificates is not
 * re-serialized field by field through a generic ASN.1 engine.
 */

export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_UTF8_STRING = 0x0c;
export const TAG_SEQUENCE = 0x30;
export const TAG_SET = 0x31;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function derTlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function derSequence(...items: Uint8Array[]): Buffer {
  return derTlv(TAG_SEQUENCE, Buffer.concat(items));
}

/** A context-specific constructed (explicit) tag, such as [3] around the extensions. */
export function derExplicit(tagNumber: number, content: Uint8Array): Buffer {
  return derTlv(0xa0 | tagNumber, content);
}

/** A BIT STRING of whole bytes (no unused bits), as signatures are. */
export function derBitString(content: Uint8Array): Buffer {
  return derTlv(TAG_BIT_STRING, Buffer.concat([Buffer.from([0]), content]));
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
