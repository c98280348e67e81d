import type { PkiLayout } from "../pki-layout.js";
import { readCertificateFile } from "./certificate-authority.js";
import { ROOT_ISSUER } from "./issuers.js";
import { listRotatedCas, rotatedDir } from "./rotated-cas.js";
import { finishRotation } from "./rotation-journal.js";

/**
 * The root certificates that verify this PKI's certificates, as one PEM bundle: `ca/ca.crt`,
 * then every root `ca rotate` replaced and `ca retire` has not yet retired. What clients get as
 * root.crt and servers as ssl_ca_file, so that certificates of the old and the new root both
 * verify while a rotation is under way.
 */
export async function trustedRootsPem(layout: PkiLayout): Promise<string> {
  await finishRotation(layout);
  const { pem } = await readCertificateFile(layout.caCert, "CA certificate");
  const rotated = (await listRotatedCas(rotatedDir(layout))).filter((ca) => ca.issuerName === ROOT_ISSUER);
  return [pem, ...rotated.map((ca) => ca.pem)].map((text) => (text.endsWith("\n") ? text : `${text}\n`)).join("");
}
