import type { X509Certificate } from "node:crypto";

import { keyPemMatches } from "../keys/key-match.js";

/** The certificate's private key, as read for `cert verify` (from --key or the .key beside it). */
export interface KeyInput {
  /** Where it came from, for messages. */
  readonly source: string;
  readonly pem: string;
  /** Why the file could not be read, when it could not. */
  readonly problem?: string;
}

export type KeyMatch =
  { readonly state: "match" | "mismatch" } | { readonly state: "unreadable"; readonly why: string };

const UNREADABLE: Record<"encrypted" | "not-a-key", string> = {
  encrypted: "it is encrypted",
  "not-a-key": "it is not a PEM private key",
};

/** Whether the key is the private half of the certificate's public key (X509Certificate.checkPrivateKey). */
export function matchKey(certificate: X509Certificate, key: KeyInput): KeyMatch {
  if (key.problem !== undefined) return { state: "unreadable", why: key.problem };
  const match = keyPemMatches(key.pem, certificate);
  return match === "match" || match === "mismatch" ? { state: match } : { state: "unreadable", why: UNREADABLE[match] };
}
