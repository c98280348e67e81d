import { createPrivateKey, type KeyObject } from "node:crypto";
import type { Stats } from "node:fs";
import { readFile, stat } from "node:fs/promises";

import { notFoundError, pkiError } from "../../core/errors.js";

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

/** Why a private key file is not this user's alone, and the command that fixes it. */
export interface KeyFileProblem {
  readonly code: "key-permissions" | "key-owner";
  /** "mode 0644 lets group or others read it", "it belongs to another user (uid 1000), who can read and replace it". */
  readonly problem: string;
  /** "run chmod 600 <path>". */
  readonly fix: string;
}

/**
 * The one check of a private key file pgwarden reads (the CA key, a cluster key, a client key
 * it exports): readable by group or others, or owned by another user (who can read it and
 * swap it for one of theirs), it is not this user's secret. Undefined when it is.
 */
export function privateKeyFileProblem(path: string, info: Pick<Stats, "mode" | "uid">): KeyFileProblem | undefined {
  if ((info.mode & 0o077) !== 0) {
    return {
      code: "key-permissions",
      problem: `mode ${(info.mode & 0o777).toString(8).padStart(4, "0")} lets group or others read it`,
      fix: `run chmod 600 ${path}`,
    };
  }
  const uid = typeof process.geteuid === "function" ? process.geteuid() : undefined;
  if (uid !== undefined && info.uid !== uid) {
    return {
      code: "key-owner",
      problem: `it belongs to another user (uid ${info.uid}), who can read it and replace it`,
      fix: `run chown ${uid} ${path} if it is yours to use, or run pgwarden as its owner`,
    };
  }
  return undefined;
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
 * Reads a private key file, refusing one readable by group or others or owned by another user (unless insecure),
 * and turning every OpenSSL failure into one line that says what to do.
 */
export async function readPrivateKeyFile(path: string, options: ReadKeyOptions): Promise<KeyObject> {
  let pem: string;
  try {
    const info = await stat(path);
    const found = privateKeyFileProblem(path, info);
    if (found) {
      const problem = `${options.label} ${path}: ${found.problem}`;
      if (!options.insecure) throw pkiError(found.code, `${problem}: ${found.fix}, or pass --insecure`);
      options.onWarning?.(`${problem}; used anyway because of --insecure: ${found.fix}`);
    }
    pem = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw notFoundError("key-missing", `${options.label} ${path} does not exist`);
    throw error;
  }
  const encrypted = isEncryptedPem(pem);
  if (encrypted && !options.passphrase) {
    throw pkiError(
      "passphrase-required",
      `${options.label} ${path} is encrypted: give --passphrase-file FILE or set PGWARDEN_CA_PASSPHRASE`,
    );
  }
  try {
    return createPrivateKey(
      encrypted ? { key: pem, format: "pem", passphrase: options.passphrase } : { key: pem, format: "pem" },
    );
  } catch (error) {
    if (encrypted) throw pkiError("bad-passphrase", `wrong passphrase for ${options.label} ${path}`, error);
    throw pkiError(
      "bad-key",
      `${options.label} ${path} is not a readable private key: restore it from a backup`,
      error,
    );
  }
}
