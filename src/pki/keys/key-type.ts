import { generateKeyPairSync, type KeyObject } from "node:crypto";

import { usageError } from "../../core/errors.js";

/** Key types pgwarden generates; ECDSA P-256 is the default ({@link DEFAULT_KEY_TYPE}), the others on request. */
export const KEY_TYPES = ["ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096", "ed25519"] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const DEFAULT_KEY_TYPE: KeyType = "ec-p256";

export function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}

export function parseKeyType(value: string): KeyType {
  if (!isKeyType(value)) {
    throw usageError("bad-key-type", `unknown key type "${value}": use one of ${KEY_TYPES.join(", ")}`);
  }
  return value;
}

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A fresh key pair from node:crypto. RSA generation is slow (about 7 keys/s at 2048 bits). */
export function generateKeyPair(type: KeyType): KeyPair {
  switch (type) {
    case "ec-p256":
      return generateKeyPairSync("ec", { namedCurve: "P-256" });
    case "ec-p384":
      return generateKeyPairSync("ec", { namedCurve: "P-384" });
    case "rsa-2048":
      return generateKeyPairSync("rsa", { modulusLength: 2048 });
    case "rsa-3072":
      return generateKeyPairSync("rsa", { modulusLength: 3072 });
    case "rsa-4096":
      return generateKeyPairSync("rsa", { modulusLength: 4096 });
    case "ed25519":
      return generateKeyPairSync("ed25519");
  }
}

/**
 * The pgwarden key type of an existing key, or a description such as `rsa-1024` or
 * `ec-secp256k1` for keys pgwarden would not generate.
 */
export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "ec":
      if (details.namedCurve === "prime256v1" || details.namedCurve === "P-256") return "ec-p256";
      if (details.namedCurve === "secp384r1" || details.namedCurve === "P-384") return "ec-p384";
      return `ec-${details.namedCurve ?? "unknown"}`;
    case "rsa":
      return `rsa-${details.modulusLength ?? 0}`;
    case "ed25519":
      return "ed25519";
    default:
      return key.asymmetricKeyType ?? "unknown";
  }
}

/** The signature algorithm a CA key signs with, as X.509 wants it named. */
export interface SignatureAlgorithm {
  /** OID of the signature algorithm (ecdsa-with-SHA256, sha256WithRSAEncryption, Ed25519, ...). */
  readonly oid: string;
  /** Hash for `crypto.sign`; null for Ed25519, which hashes internally. */
  readonly hash: "sha256" | "sha384" | null;
  /** RSA PKCS#1 v1.5 algorithm identifiers carry an explicit NULL parameter; ECDSA and EdDSA none. */
  readonly nullParameters: boolean;
}

export function signatureAlgorithmFor(key: KeyObject): SignatureAlgorithm {
  const type = describeKey(key);
  if (type === "ec-p256") return { oid: "1.2.840.10045.4.3.2", hash: "sha256", nullParameters: false };
  if (type === "ec-p384") return { oid: "1.2.840.10045.4.3.3", hash: "sha384", nullParameters: false };
  if (type.startsWith("rsa-")) return { oid: "1.2.840.113549.1.1.11", hash: "sha256", nullParameters: true };
  if (type === "ed25519") return { oid: "1.3.101.112", hash: null, nullParameters: false };
  throw usageError("unsupported-key", `cannot sign with a ${type} key: use one of ${KEY_TYPES.join(", ")}`);
}

/** libpq (OpenSSL security level 2) refuses RSA keys below this: "ee key too small", "ca key too small". */
export const MIN_RSA_BITS = 2048;

/** Curves a certificate request may use: those OpenSSL, libpq and pgwarden's signer all handle. */
const SUPPORTED_REQUEST_KEYS = new Set(["ec-p256", "ec-p384", "ec-secp521r1", "ed25519"]);

/** The keys {@link keyProblem} accepts, as a fix names them. */
export const SUPPORTED_KEYS_TEXT = `an ec-p256, ec-p384, ed25519 or RSA (${MIN_RSA_BITS} bits or more) key`;

/** Why pgwarden would refuse to certify a public key, or undefined when it is fine. */
export interface KeyProblem {
  readonly code: "unsupported-key-type" | "key-too-small";
  readonly message: string;
}

/**
 * Checks a key pgwarden is asked to certify (a CSR's key, `ee`) or to sign with (a CA key,
 * `ca`): RSA of {@link MIN_RSA_BITS} bits or more, ECDSA P-256/P-384/P-521, or Ed25519.
 */
export function keyProblem(key: KeyObject, role: "ee" | "ca" = "ee"): KeyProblem | undefined {
  const type = describeKey(key);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const fix = role === "ee" ? "make the request with" : "use a CA with";
  if (key.asymmetricKeyType === "rsa") {
    if (bits >= MIN_RSA_BITS) return undefined;
    return {
      code: "key-too-small",
      message:
        `its key is ${type}, and libpq refuses RSA keys below ${MIN_RSA_BITS} bits ("${role} key too small"): ` +
        `${fix} an RSA key of ${MIN_RSA_BITS} bits or more, or ec-p256`,
    };
  }
  if (SUPPORTED_REQUEST_KEYS.has(type)) return undefined;
  return { code: "unsupported-key-type", message: `unsupported key type ${type}: ${fix} ${SUPPORTED_KEYS_TEXT}` };
}
