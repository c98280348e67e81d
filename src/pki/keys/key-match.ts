import { createPrivateKey, type X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";

import { isEncryptedPem } from "./key-file.js";

/**
 * Whether a private key belongs to a certificate: `match`, `mismatch`, `encrypted` (cannot
 * tell without its passphrase) or `not-a-key` (the file holds no private key).
 */
export type KeyMatch = "match" | "mismatch" | "encrypted" | "not-a-key";

/** Compares the key's public half with the certificate's, as OpenSSL's X509_check_private_key does. */
export function keyPemMatches(pem: string, certificate: X509Certificate): KeyMatch {
  if (isEncryptedPem(pem)) return "encrypted";
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    return "not-a-key";
  }
  try {
    return certificate.checkPrivateKey(key) ? "match" : "mismatch";
  } catch {
    // A key of another algorithm than the certificate's.
    return "mismatch";
  }
}

/**
 * Does the key at `keyPath` belong to `certificate`? A file that cannot be read (absent, a
 * directory, a dangling symlink) rejects with the file system's error, for the caller to report.
 */
export async function keyFileMatches(keyPath: string, certificate: X509Certificate): Promise<KeyMatch> {
  return keyPemMatches(await readFile(keyPath, "utf8"), certificate);
}
