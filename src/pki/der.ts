/**
 * The few DER envelopes pgwarden assembles itself around bytes that were already
 * encoded by @peculiar/asn1-schema, so that a to-be-signed structure is serialized once.
 */

const TAG_BIT_STRING = 0x03;
const TAG_SEQUENCE = 0x30;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function derSequence(...items: Uint8Array[]): Buffer {
  return tlv(TAG_SEQUENCE, Buffer.concat(items));
}

/** A BIT STRING of whole bytes (no unused bits), as signatures are. */
export function derBitString(content: Uint8Array): Buffer {
  return tlv(TAG_BIT_STRING, Buffer.concat([Buffer.from([0]), content]));
}

/** PEM armour with 64-character lines, as OpenSSL writes it. */
export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
