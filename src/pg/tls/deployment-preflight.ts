import { readFile } from "node:fs/promises";
import { join } from "node:path";

import type { CertificateAuthority } from "../../pki/authority/certificate-authority.js";
import type { PkiLayout } from "../../pki/pki-layout.js";
import { readCaCrl } from "../../pki/revocation/crl-file.js";
import {
  findServerCertificate,
  foreignCertificateError,
  type FoundServerCertificate,
  type ServerCertificateRequest,
  withInstalledNames,
} from "../server-certificate.js";
import { checkInstalledCertificate, TLS_FILES } from "../tls-deploy.js";

/** The CA and its CRL, the CRL checked (signed by the CA, current, parseable) before anything is issued, written or reloaded. */
export async function signingMaterial(
  layout: PkiLayout,
  signingCa: () => Promise<CertificateAuthority>,
  now: Date,
): Promise<{ ca: CertificateAuthority; crlPem: string | undefined }> {
  const ca = await signingCa();
  const crlPem = await readCaCrl(layout, { issuers: [{ der: ca.der }], now });
  return { ca, crlPem };
}

/**
 * The request plus every name PGDATA's server.crt answers to now (replacing it must not cut off a
 * client that reaches the server by one of them), and the certificate the PKI has for it. What would
 * refuse the deployment (a foreign certificate in the PKI or PGDATA, a symbolic link, a key PostgreSQL
 * rejects) refuses it here, before anything is issued.
 */
export async function deploymentPreflight(
  layout: PkiLayout,
  ca: CertificateAuthority,
  asked: ServerCertificateRequest,
  pgdata: string,
  now: Date,
): Promise<{ request: ServerCertificateRequest; found: FoundServerCertificate }> {
  const installedPath = join(pgdata, TLS_FILES.cert);
  const installed = await readFile(installedPath, "utf8").catch(() => undefined);
  const request = withInstalledNames(asked, installed, ca, now, installedPath);
  const found = await findServerCertificate(layout, ca, request, now);
  if (!found.usable && found.foreign && !asked.force) throw foreignCertificateError(found);
  await checkInstalledCertificate(pgdata, layout, found.usable?.certPem, asked.force ?? false);
  return { request, found };
}
