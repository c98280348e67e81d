import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { pkiError } from "../../core/errors.js";
import type { PkiLayout } from "../pki-layout.js";
import { checkCrl, type CrlIssuer } from "./crl-check.js";

/** The root CA's revocation list, `<pki>/crl/ca.crl` (PEM), which servers install as root.crl. */
export function caCrlPath(layout: PkiLayout): string {
  return join(layout.crlDir, "ca.crl");
}

/** What a CRL must be checked against before it is handed out: the CA(s) that may sign it, and the clock. */
export interface CrlCheckOptions {
  readonly issuers: readonly CrlIssuer[];
  readonly now: Date;
}

/**
 * The CA's CRL when one exists, signed by the CA and current ({@link checkCrl}). Only a
 * missing file means "no CRL": anything else in its place (a directory, an unreadable file, a
 * file that is not a PEM CRL) is an error, never silently skipped, since deploying without the
 * CRL would let revoked certificates in, and deploying a bad one locks every certificate out.
 */
export async function readCaCrl(layout: PkiLayout, check: CrlCheckOptions): Promise<string | undefined> {
  const path = caCrlPath(layout);
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    const what = code === "EISDIR" ? "is a directory, not a CRL file" : `cannot be read (${code ?? String(error)})`;
    throw pkiError(
      "bad-crl",
      `${path} ${what}: nothing was installed; put the CA's PEM CRL there, or remove it to deploy without one`,
      error,
    );
  }
  return (await checkCrl(pem, check.issuers, check.now, path)).pem;
}
