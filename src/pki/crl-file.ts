import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pkiError } from "../errors.js";
import type { PkiLayout } from "./pki-layout.js";

/** The root CA's revocation list, `<pki>/crl/ca.crl` (PEM), which servers install as root.crl. */
export function caCrlPath(layout: PkiLayout): string {
  return join(layout.crlDir, "ca.crl");
}

/** The CA's CRL when one exists; a file that is not a PEM CRL is an error, never silently skipped. */
export async function readCaCrl(layout: PkiLayout): Promise<string | undefined> {
  const path = caCrlPath(layout);
  const pem = await readFile(path, "utf8").catch(() => undefined);
  if (pem === undefined) return undefined;
  if (!/^-----BEGIN X509 CRL-----[\s\S]+-----END X509 CRL-----$/.test(pem.trim())) {
    throw pkiError("bad-crl", `${path} is not a PEM CRL (-----BEGIN X509 CRL-----): regenerate it, or remove it to deploy without one`);
  }
  return pem;
}
