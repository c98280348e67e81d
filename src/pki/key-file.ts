import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { notFoundError, pkiError } from "../errors.js";

/** Cipher for encrypted PKCS#8 keys; OpenSSL reads the result with the same passphrase. */
export const KEY_CIPHER = "aes-256-cbc";

/** PKCS#8 PEM of a private key, encrypted when a passphrase is given. */
export function encodePrivateKey(key: KeyObject, passphrase?: string): string {
  const pem = passphrase
    ? key.export({ type: "pkcs8", format: "pem", cipher: KEY_CIPHER, passphrase })
    : key.export({ type: "pkcs8", format: "pem" });
  return pem.toString();
}

export function isEncryptedPem(pem: string): boolean {
  return pem.includes("BEGIN ENCRYPTED PRIVATE KEY") || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

export interface ReadKeyOptions {
  passphrase?: string | undefined;
  /** Accept a key that group or others can read. Default false. */
  insecure?: boolean;
  /** What the key is, for messages ("CA key"). */
  label: string;
  /** Told when an insecure key is accepted anyway, so the user still hears about it. */
  onWarning?: (message: string) => void;
}

/**
 * Reads a private key file, refusing one readable by group or others (unless insecure),
 * and turning every OpenSSL failure into one line that says what to do.
 */
export async function readPrivateKeyFile(path: string, options: ReadKeyOptions): Promise<KeyObject> {
  let pem: string;
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      const problem = `${options.label} ${path} is readable by group or others (mode ${(info.mode & 0o777).toString(8).padStart(4, "0")})`;
      if (!options.insecure) throw pkiError("key-permissions", `${problem}: run chmod 600 ${path}, or pass --insecure`);
      options.onWarning?.(`${problem}; used anyway because of --insecure: run chmod 600 ${path}`);
    }
    pem = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFoundError("key-missing", `${options.label} ${path} does not exist`);
    throw error;
  }
  const encrypted = isEncryptedPem(pem);
  if (encrypted && !options.passphrase) {
    throw pkiError("passphrase-required", `${options.label} ${path} is encrypted: give --passphrase-file FILE or set PGWARDEN_CA_PASSPHRASE`);
  }
  try {
    return createPrivateKey(encrypted ? { key: pem, format: "pem", passphrase: options.passphrase } : { key: pem, format: "pem" });
  } catch (error) {
    if (encrypted) throw pkiError("bad-passphrase", `wrong passphrase for ${options.label} ${path}`, error);
    throw pkiError("bad-key", `${options.label} ${path} is not a readable private key: restore it from a backup`, error);
  }
}
