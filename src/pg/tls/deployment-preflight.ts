import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import type { CertificateAuthority } from "../../pki/authority/certificate-authority.js";
import { listIssuerFiles } from "../../pki/authority/issuers.js";
import type { PkiLayout } from "../../pki/pki-layout.js";
import { readCaCrl } from "../../pki/revocation/crl-file.js";
import {
  findServerCertificate,
  foreignCertificateError,
  type FoundServerCertificate,
  type ServerCertificateRequest,
  withInstalledNames,
} from "../server-certificate.js";
import { checkInstalledCertificate, type ServerTlsMaterial, TLS_FILES } from "../tls-deploy.js";
import { servedCertificateChain, type ServerTrust, serverTrust } from "./client-trust.js";
import { strandedClients, strandedClientsError } from "./stranded-clients.js";

/**
 * The CA that signs the server certificate, the CRL (checked: signed by an issuer of the PKI, current,
 * parseable) and what the server trusts for client certificates ({@link serverTrust}), all before anything
 * is issued, written or reloaded.
 */
export async function signingMaterial(
  layout: PkiLayout,
  signingCa: () => Promise<CertificateAuthority>,
  now: Date,
): Promise<{ ca: CertificateAuthority; crlPem: string | undefined; trust: ServerTrust }> {
  const ca = await signingCa();
  const crlPem = await readCaCrl(layout, { issuers: await crlIssuers(layout, ca), now });
  return { ca, crlPem, trust: await serverTrust(layout, ca) };
}

/** The CAs whose CRLs a server may install: the root and every intermediate of the PKI. */
export async function crlIssuers(layout: PkiLayout, ca: CertificateAuthority): Promise<{ der: Buffer }[]> {
  const intermediates = (await listIssuerFiles(layout)).filter((files) => files.kind === "intermediate");
  const ders = await Promise.all(
    intermediates.map(async (files) => {
      try {
        return [new X509Certificate(await readFile(files.certPath)).raw];
      } catch {
        // An unreadable intermediate signs no CRL that could be checked: left out, so its CRL is refused.
        return [];
      }
    }),
  );
  return [{ der: ca.root?.der ?? ca.der }, ...ders.flat().map((der) => ({ der }))];
}

/** The files of a server's TLS: its chain (leaf, then its intermediate), its key, the client trust and the CRL. */
export function serverMaterial(
  pair: { readonly certPem: string; readonly keyPem: string },
  ca: CertificateAuthority,
  trust: ServerTrust,
  crlPem: string | undefined,
): ServerTlsMaterial {
  return {
    certPem: pair.certPem === "" ? "" : servedCertificateChain(pair.certPem, ca, trust.rotatedServerIssuers),
    keyPem: pair.keyPem,
    caPem: trust.clientCaPem,
    crlPem,
  };
}

/**
 * The request plus every name PGDATA's server.crt answers to now (replacing it must not cut off a
 * client that reaches the server by one of them), and the certificate the PKI has for it. What would
 * refuse the deployment (a foreign certificate in the PKI or PGDATA, a symbolic link, a key PostgreSQL
 * rejects) refuses it here, before anything is issued. So does, unless --force, an ssl_ca_file (`trust`) that would
 * no longer accept client certificates pgwarden recorded which the installed one accepts (strandedClients).
 */
export async function deploymentPreflight(
  layout: PkiLayout,
  ca: CertificateAuthority,
  asked: ServerCertificateRequest,
  pgdata: string,
  now: Date,
  trust?: ServerTrust,
): Promise<{ request: ServerCertificateRequest; found: FoundServerCertificate }> {
  if (trust && !asked.force) {
    const installedCa = await readFile(join(pgdata, TLS_FILES.ca), "utf8").catch(() => undefined);
    const stranded = await strandedClients(layout, installedCa, trust.clientCaPem, now);
    if (stranded.length > 0) throw strandedClientsError(stranded);
  }
  const installedPath = join(pgdata, TLS_FILES.cert);
  const installed = await readFile(installedPath, "utf8").catch(() => undefined);
  const request = withInstalledNames(asked, installed, ca, now, installedPath);
  const found = await findServerCertificate(layout, ca, request, now);
  if (!found.usable && found.foreign && !asked.force) throw foreignCertificateError(found);
  await checkInstalledCertificate(pgdata, layout, found.usable?.certPem, asked.force ?? false);
  return { request, found };
}
