import { readFileSync, statSync } from "node:fs";
import type { ResolvedConnection } from "./resolve.js";

/** How the server's certificate is checked in one TLS attempt. */
export type Verification = "none" | "chain" | "chain-and-name";

/** What one TLS attempt presents and checks, read from the files as libpq reads them (fe-secure-openssl.c initialize_SSL). */
export interface TlsMaterial {
  readonly verification: Verification;
  /** The root certificate file and its PEM, when one is used to verify. */
  readonly root?: { readonly path: string; readonly pem: string };
  readonly crlPem?: string;
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
 * libpq's refusal of a client key others may read: for a key owned by the current user
 * nothing for group or others (0600 or less); for one owned by another user (root) group may
 * read but not write or execute (0640 or less).
 */
export function clientKeyProblem(path: string, info: { mode: number; uid: number; isFile(): boolean }, euid: number): string | undefined {
  if (!info.isFile()) return `private key file "${path}" is not a regular file`;
  const loose = info.uid === euid ? info.mode & 0o077 : info.mode & 0o037;
  if (loose === 0) return undefined;
  return `private key file "${path}" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root`;
}

/**
 * The root certificate verifies the server whenever its file exists, whatever the sslmode
 * (so sslmode=require with ~/.postgresql/root.crt behaves as verify-ca, as libpq documents);
 * verify-ca and verify-full need it. A client certificate is sent when its file exists, and
 * then its key must exist with a safe mode.
 */
export function tlsMaterial(connection: ResolvedConnection): TlsMaterial {
  const { sslmode, sslrootcert, sslcrl, sslcert, sslkey } = connection;
  let root: TlsMaterial["root"];
  let crlPem: string | undefined;
  if (exists(sslrootcert.path)) {
    root = { path: sslrootcert.path, pem: readFileSync(sslrootcert.path, "utf8") };
    if (exists(sslcrl.path)) crlPem = readFileSync(sslcrl.path, "utf8");
  } else if (sslmode === "verify-ca" || sslmode === "verify-full") {
    throw new TlsSetupError(
      `root certificate file "${sslrootcert.path}" does not exist: either provide the file (sslrootcert=, PGSSLROOTCERT or ~/.postgresql/root.crt) or change sslmode to disable server certificate verification`,
    );
  }
  let client: TlsMaterial["client"];
  if (exists(sslcert.path)) {
    if (!exists(sslkey.path)) throw new TlsSetupError(`certificate present, but not private key file "${sslkey.path}"`);
    const problem = clientKeyProblem(sslkey.path, statSync(sslkey.path), process.geteuid?.() ?? 0);
    if (problem !== undefined) throw new TlsSetupError(problem);
    client = { certPath: sslcert.path, cert: readFileSync(sslcert.path, "utf8"), key: readFileSync(sslkey.path, "utf8") };
  }
  const verification: Verification = sslmode === "verify-full" ? "chain-and-name" : root ? "chain" : "none";
  return { verification, ...(root ? { root } : {}), ...(crlPem ? { crlPem } : {}), ...(client ? { client } : {}) };
}
