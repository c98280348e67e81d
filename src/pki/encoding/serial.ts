import { randomBytes } from "node:crypto";

/** Serial numbers carry 128 random bits (CA/Browser Forum asks for at least 64). */
export const SERIAL_RANDOM_BYTES = 16;

export type RandomSource = (size: number) => Buffer;

/**
 * A new serial of 128 random bits, in the canonical form of {@link normalizeSerial}. It is
 * positive and non-zero; {@link serialToDer} adds the leading zero byte DER needs when
 * the top bit is set.
 */
export function newSerial(random: RandomSource = randomBytes): string {
  for (;;) {
    const bytes = random(SERIAL_RANDOM_BYTES);
    if (bytes.some((byte) => byte !== 0)) return normalizeSerial(bytes.toString("hex"));
  }
}

/**
 * Canonical form of a serial read from anywhere: lowercase hex of whole bytes without
 * leading zero bytes, as `openssl x509 -serial` prints it (but lowercase).
 */
export function normalizeSerial(serial: string): string {
  const hex = serial.replace(/[:\s]/g, "").toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]+$/.test(hex)) throw new Error(`not a hexadecimal serial: ${serial}`);
  const trimmed = hex.replace(/^0+(?=.)/, "");
  return trimmed.length % 2 ? `0${trimmed}` : trimmed;
}

/** The content octets of a positive DER INTEGER for a hex serial (minimal, sign-safe). */
export function serialToDer(serial: string): Uint8Array {
  const hex = normalizeSerial(serial);
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
  return (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/** Hex of a DER INTEGER's content octets, as {@link newSerial} writes serials. */
export function serialFromDer(content: Uint8Array): string {
  return normalizeSerial(Buffer.from(content).toString("hex"));
}
