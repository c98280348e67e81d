import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

import { usageError } from "../core/errors.js";
import { saslprepPassword } from "./saslprep.js";

/** PostgreSQL's default (`scram_iterations`, PostgreSQL 16) and the least pgwarden accepts as sound. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;
/** The largest iteration count PostgreSQL reads back from a verifier (it keeps them in a signed 32-bit int). */
export const MAX_SCRAM_ITERATIONS = 2_147_483_647;
const SCRAM_SALT_BYTES = 16;
const SCRAM_KEY_BYTES = 32;

/** A stored SCRAM-SHA-256 secret: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

export interface ScramOptions {
  /** Default {@link DEFAULT_SCRAM_ITERATIONS}. */
  readonly iterations?: number;
  /** Default 16 random bytes; injected by tests to pin exact output. */
  readonly salt?: Buffer;
}

const VERIFIER_PATTERN =
  /^SCRAM-SHA-256\$([1-9][0-9]{0,9}):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

/** SaltedPassword = PBKDF2-HMAC-SHA256(SASLprep(password), salt, iterations). */
function saltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(saslprepPassword(password), "utf8"), salt, iterations, SCRAM_KEY_BYTES, "sha256");
}

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();

/** The verifier PostgreSQL would store for `password`; the plaintext never needs to reach the server. */
export function scramVerifier(password: string, options: ScramOptions = {}): string {
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  // Any count PostgreSQL reads back (password hash takes fewer than the default, and says so); not Node's RangeError.
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_SCRAM_ITERATIONS)
    throw usageError(
      "bad-iterations",
      `SCRAM iterations must be a whole number from 1 to ${MAX_SCRAM_ITERATIONS}, not ${String(iterations)}`,
    );
  const salt = options.salt ?? randomBytes(SCRAM_SALT_BYTES);
  const salted = saltedPassword(password, salt, iterations);
  const storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest();
  const serverKey = hmac(salted, "Server Key");
  return formatScramVerifier({ iterations, salt, storedKey, serverKey });
}

export function formatScramVerifier(verifier: ScramVerifier): string {
  const b64 = (bytes: Buffer) => bytes.toString("base64");
  return `SCRAM-SHA-256$${verifier.iterations}:${b64(verifier.salt)}$${b64(verifier.storedKey)}:${b64(verifier.serverKey)}`;
}

/** The parts of a stored SCRAM secret, or undefined when `text` is not one. */
export function parseScramVerifier(text: string): ScramVerifier | undefined {
  const match = VERIFIER_PATTERN.exec(text);
  if (!match) return undefined;
  const [, iterations, salt, storedKey, serverKey] = match as unknown as [string, string, string, string, string];
  const verifier = {
    iterations: Number(iterations),
    salt: Buffer.from(salt, "base64"),
    storedKey: Buffer.from(storedKey, "base64"),
    serverKey: Buffer.from(serverKey, "base64"),
  };
  if (
    verifier.storedKey.length !== SCRAM_KEY_BYTES ||
    verifier.serverKey.length !== SCRAM_KEY_BYTES ||
    verifier.salt.length === 0
  )
    return undefined;
  return verifier;
}

export function isScramVerifier(text: string): boolean {
  return parseScramVerifier(text) !== undefined;
}

/**
 * Whether `password` is the one behind `verifier`: one PBKDF2 and one HMAC (the ServerKey
 * alone decides it), compared in constant time.
 */
export function scramMatches(password: string, verifier: ScramVerifier): boolean {
  const serverKey = hmac(saltedPassword(password, verifier.salt, verifier.iterations), "Server Key");
  return timingSafeEqual(serverKey, verifier.serverKey);
}
