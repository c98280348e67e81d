import { createPrivateKey, generateKeyPairSync, type JsonWebKey } from "node:crypto";

import { toPem } from "../encoding/der.js";
import type { KeyType } from "./key-type.js";

/**
 * Fast encoding of fresh EC keys. OpenSSL 3's encoders cost several times more than the
 * key generation itself (a fleet of P-256 keys spends most of its time in them), while
 * the encodings of an EC key are a fixed frame around its private scalar and public
 * point. The frame is learnt once per process from OpenSSL's own output, checked by
 * rebuilding that reference key byte for byte, and used only while every field has the
 * expected length; anything else goes through OpenSSL's encoders as before.
 */
interface EcFrame {
  readonly curve: "P-256" | "P-384";
  readonly fieldBytes: number;
  readonly spkiPrefix: Buffer;
  /** PKCS#8 DER = before + d + middle + point + after. */
  readonly pkcs8: { readonly before: Buffer; readonly middle: Buffer; readonly after: Buffer };
}

interface JwkParts {
  readonly d: Buffer;
  readonly point: Buffer;
}

function jwkParts(jwk: JsonWebKey): JwkParts | undefined {
  if (!jwk.d || !jwk.x || !jwk.y) return undefined;
  const x = Buffer.from(jwk.x, "base64url");
  const y = Buffer.from(jwk.y, "base64url");
  return { d: Buffer.from(jwk.d, "base64url"), point: Buffer.concat([Buffer.from([0x04]), x, y]) };
}

type EcJwkGenerator = (
  type: "ec",
  options: {
    namedCurve: string;
    publicKeyEncoding: { type: "spki"; format: "jwk" };
    privateKeyEncoding: { type: "pkcs8"; format: "jwk" };
  },
) => { privateKey: JsonWebKey };

/**
 * A fresh EC private key as a JWK, encoded inside the key-generation job itself.
 * Never `generateKeyPairSync(...).privateKey.export({ format: "jwk" })`: on Node 20 that
 * deadlocks now and then (seen in about one batch of 2,000 in ten): the JWK export holds
 * the key's mutex while it allocates, a garbage collection in that allocation finalises
 * the finished key-generation job, and the job's destructor waits for the same mutex.
 * (@types/node has no overload for the JWK encoding, hence the cast.)
 */
function generateEcJwk(curve: EcFrame["curve"]): JsonWebKey {
  const generate = generateKeyPairSync as unknown as EcJwkGenerator;
  return generate("ec", {
    namedCurve: curve,
    publicKeyEncoding: { type: "spki", format: "jwk" },
    privateKeyEncoding: { type: "pkcs8", format: "jwk" },
  }).privateKey;
}

function learnFrame(curve: EcFrame["curve"], fieldBytes: number): EcFrame | undefined {
  const { publicKey: spki, privateKey: pkcs8 } = generateKeyPairSync("ec", {
    namedCurve: curve,
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs8", format: "der" },
  });
  // A key object made from the DER (not by a key-generation job) is safe to export as JWK.
  const parts = jwkParts(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }).export({ format: "jwk" }));
  if (!parts || parts.d.length !== fieldBytes || parts.point.length !== 1 + 2 * fieldBytes) return undefined;
  if (!spki.subarray(spki.length - parts.point.length).equals(parts.point)) return undefined;
  const dAt = pkcs8.indexOf(parts.d);
  const pointAt = pkcs8.indexOf(parts.point, dAt + parts.d.length);
  if (dAt < 0 || pointAt < 0) return undefined;
  const frame: EcFrame = {
    curve,
    fieldBytes,
    spkiPrefix: spki.subarray(0, spki.length - parts.point.length),
    pkcs8: {
      before: pkcs8.subarray(0, dAt),
      middle: pkcs8.subarray(dAt + parts.d.length, pointAt),
      after: pkcs8.subarray(pointAt + parts.point.length),
    },
  };
  const rebuilt = encodeWithFrame(frame, parts);
  return rebuilt.spki.equals(spki) && rebuilt.pkcs8.equals(pkcs8) ? frame : undefined;
}

function encodeWithFrame(frame: EcFrame, parts: JwkParts): { spki: Buffer; pkcs8: Buffer } {
  return {
    spki: Buffer.concat([frame.spkiPrefix, parts.point]),
    pkcs8: Buffer.concat([frame.pkcs8.before, parts.d, frame.pkcs8.middle, parts.point, frame.pkcs8.after]),
  };
}

const frames = new Map<string, EcFrame | undefined>();

function frameFor(type: KeyType): EcFrame | undefined {
  if (type !== "ec-p256" && type !== "ec-p384") return undefined;
  if (!frames.has(type)) frames.set(type, type === "ec-p256" ? learnFrame("P-256", 32) : learnFrame("P-384", 48));
  return frames.get(type);
}

/** A new key pair already encoded: SPKI DER for the certificate, PKCS#8 PEM for the key file. */
export interface EncodedKeyPair {
  readonly publicKeyDer: Buffer;
  readonly privateKeyPem: string;
}

/** Generates a key pair and encodes it, through the EC frame when it applies. */
export function generateEncodedKeyPair(type: KeyType, options: { useFrame?: boolean } = {}): EncodedKeyPair {
  const frame = options.useFrame === false ? undefined : frameFor(type);
  if (frame) {
    const parts = jwkParts(generateEcJwk(frame.curve));
    if (parts && parts.d.length === frame.fieldBytes && parts.point.length === 1 + 2 * frame.fieldBytes) {
      const { spki, pkcs8 } = encodeWithFrame(frame, parts);
      return { publicKeyDer: spki, privateKeyPem: toPem(pkcs8, "PRIVATE KEY") };
    }
  }
  const publicKeyEncoding = { type: "spki", format: "der" } as const;
  const privateKeyEncoding = { type: "pkcs8", format: "pem" } as const;
  const pair =
    type === "ed25519"
      ? generateKeyPairSync("ed25519", { publicKeyEncoding, privateKeyEncoding })
      : type.startsWith("rsa-")
        ? generateKeyPairSync("rsa", {
            modulusLength: Number(type.slice("rsa-".length)),
            publicKeyEncoding,
            privateKeyEncoding,
          })
        : generateKeyPairSync("ec", {
            namedCurve: type === "ec-p384" ? "P-384" : "P-256",
            publicKeyEncoding,
            privateKeyEncoding,
          });
  return { publicKeyDer: pair.publicKey, privateKeyPem: pair.privateKey };
}
