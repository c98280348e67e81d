import { createPrivateKey, type KeyObject, type X509Certificate } from "node:crypto";

/** The certificate's private key, as read for `cert verify` (from --key or the .key beside it). */
export interface KeyInput {
  /** Where it came from, for messages. */
  readonly source: string;
  readonly pem: string;
  /** Why the file could not be read, when it could not. */
  readonly problem?: string;
}

export type KeyMatch = { readonly state: "match" | "mismatch" } | { readonly state: "unreadable"; readonly why: string };

function parseKey(pem: string): KeyObject | { why: string } {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) return { why: "it is encrypted" };
  try {
    return createPrivateKey(pem);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { why: code === "ERR_MISSING_PASSPHRASE" ? "it is encrypted" : "it is not a PEM private key" };
  }
}

/** Whether the key is the private half of the certificate's public key (X509Certificate.checkPrivateKey). */
export function matchKey(certificate: X509Certificate, key: KeyInput): KeyMatch {
  const parsed = key.problem !== undefined ? { why: key.problem } : parseKey(key.pem);
  if ("why" in parsed) return { state: "unreadable", why: parsed.why };
  return { state: certificate.checkPrivateKey(parsed) ? "match" : "mismatch" };
}
