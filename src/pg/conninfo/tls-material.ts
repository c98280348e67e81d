import { readFileSync, statSync } from "node:fs";
import { createSecureContext } from "node:tls";

import type { ResolvedConnection } from "./resolve.js";

/** How the server's certificate is checked in one TLS attempt. */
export type Verification = "none" | "chain" | "chain-and-name";

/** What one TLS attempt presents and checks, read from the files as libpq reads them (fe-secure-openssl.c initialize_SSL). */
export interface TlsMaterial {
  readonly verification: Verification;
  /** The root certificate file and its PEM, when one is used to verify. */
  readonly root?: { readonly path: string; readonly pem: string };
  readonly crlPem?: string;
  /** The CRL file crlPem came from: named when the server's certificate is revoked. */
  readonly crlPath?: string;
  readonly client?: { readonly certPath: string; readonly cert: string; readonly key: string };
}

/** A TLS attempt that failed before the handshake, in libpq's words (sslmode=prefer then tries without TLS, as libpq does). */
export class TlsSetupError extends Error {
  override readonly name = "TlsSetupError";
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw new TlsSetupError(`could not open file "${path}": ${(error as Error).message}`);
  }
}

/**
 * libpq 15's refusal of a client key others may read (fe-secure-openssl.c initialize_SSL):
 * `st_uid == 0 ? mode & (S_IWGRP|S_IXGRP|S_IRWXO) : mode & (S_IRWXG|S_IRWXO)`. A key root owns
 * may be 0640 (a system-wide key read through a group), whoever connects; a key anyone else
 * owns 0600 or less. libpq does not compare the owner with the user connecting: a key it can
 * read with such a mode is taken (root reads a 0600 key another user owns).
 */
export function clientKeyProblem(
  path: string,
  info: { mode: number; uid: number; isFile(): boolean },
): string | undefined {
  if (!info.isFile()) return `private key file "${path}" is not a regular file`;
  const loose = info.uid === 0 ? info.mode & 0o037 : info.mode & 0o077;
  if (loose === 0) return undefined;
  return `private key file "${path}" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root`;
}

/** A file libpq would load, or its words when it cannot be read (a directory, no permission). */
function readTlsFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new TlsSetupError(
      `could not read ${what} file "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/**
 * The CRL file, when it is there and OpenSSL can load it: libpq checks revocation only then
 * ("if not found, silently ignore; we do not require CRL"): a missing or unparsable file means
 * no revocation check, not a refusal.
 */
function usableCrl(path: string): string | undefined {
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    createSecureContext({ crl: pem });
    return pem;
  } catch {
    return undefined;
  }
}

/**
 * As libpq 15's initialize_SSL: the root certificate verifies the server whenever its file
 * exists, whatever the sslmode (so sslmode=require with ~/.postgresql/root.crt behaves as
 * verify-ca, as libpq documents); only verify-ca and verify-full refuse when it is missing
 * (require and prefer then go on without verification, even for a root file named by
 * sslrootcert or PGSSLROOTCERT). The CRL is used when it loads. A client certificate is sent
 * when its file exists (a missing one, even named, means none is sent), and then its key must
 * exist with a safe mode.
 */
export function tlsMaterial(connection: ResolvedConnection): TlsMaterial {
  const { sslmode, sslrootcert, sslcrl, sslcert, sslkey } = connection;
  let root: TlsMaterial["root"];
  let crlPem: string | undefined;
  if (exists(sslrootcert.path)) {
    root = { path: sslrootcert.path, pem: readTlsFile(sslrootcert.path, "root certificate") };
    crlPem = usableCrl(sslcrl.path);
  } else if (sslmode === "verify-ca" || sslmode === "verify-full") {
    throw new TlsSetupError(
      `root certificate file "${sslrootcert.path}" does not exist: either provide the file (sslrootcert=, PGSSLROOTCERT or ~/.postgresql/root.crt) or change sslmode to disable server certificate verification`,
    );
  }
  let client: TlsMaterial["client"];
  if (exists(sslcert.path)) {
    const cert = readTlsFile(sslcert.path, "certificate");
    if (!exists(sslkey.path)) throw new TlsSetupError(`certificate present, but not private key file "${sslkey.path}"`);
    const problem = clientKeyProblem(sslkey.path, statSync(sslkey.path));
    if (problem !== undefined) throw new TlsSetupError(problem);
    client = { certPath: sslcert.path, cert, key: readTlsFile(sslkey.path, "private key") };
  }
  const verification: Verification = sslmode === "verify-full" ? "chain-and-name" : root ? "chain" : "none";
  return {
    verification,
    ...(root ? { root } : {}),
    ...(crlPem ? { crlPem, crlPath: sslcrl.path } : {}),
    ...(client ? { client } : {}),
  };
}
