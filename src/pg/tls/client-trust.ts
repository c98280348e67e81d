import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";

import { pkiError } from "../../core/errors.js";
import type { CertificateAuthority } from "../../pki/authority/certificate-authority.js";
import { refuseRevokedIssuer } from "../../pki/authority/issuer-loader.js";
import { CLIENT_ISSUER, issuerAnchorPath, issuerFiles, ROOT_ISSUER } from "../../pki/authority/issuers.js";
import { listRotatedCas, rotatedDir } from "../../pki/authority/rotated-cas.js";
import { rotatedAnchorPems, trustedRootsFile } from "../../pki/authority/trust-anchors.js";
import type { PkiLayout } from "../../pki/pki-layout.js";

/*
 * What a server trusts and presents once intermediates exist (README, "Dedicated client trust").
 * ssl_ca_file decides whose certificates may log in by `cert`: the root would let in every
 * certificate of every issuer under it (a `CN=postgres` from the server intermediate is a
 * superuser), and the client intermediate itself is no trust anchor to OpenSSL (PostgreSQL never
 * sets X509_V_FLAG_PARTIAL_CHAIN: "unable to get issuer certificate"). So ssl_ca_file holds the
 * client intermediate's anchor twin, self-signed with the same subject and key: the client's
 * leaves chain to it, the CRL the intermediate signs verifies under it, and nothing else does.
 * Without a client intermediate, the root as before.
 */

/** The PEM texts a TLS deployment needs beyond the server's own pair. */
export interface ServerTrust {
  /** `ssl_ca_file` (root.crt in PGDATA): the client issuer's anchor twin(s), or the root(s) when there is no client intermediate. */
  readonly clientCaPem: string;
  /** The root (and, during a rotation, the roots it replaced), which clients and pgwarden's handshake check verify the server certificate against. */
  readonly rootPem: string;
  /** The file ssl_ca_file was made from, for messages. */
  readonly clientCaSource: string;
  /**
   * The intermediates `ca rotate --intermediate` replaced for the server certificate's issuer, not retired: a server
   * certificate one of them signed stays in service until cert renew, and is served with it (clients hold the roots).
   */
  readonly rotatedServerIssuers?: readonly string[];
}

/**
 * The trust files for a server whose certificate `ca` signs: reads the client issuer's anchor twin when
 * the client intermediate exists, and checks that it is that intermediate's twin (same key and subject,
 * self-signed), so a stale twin never locks its clients out.
 */
export async function serverTrust(layout: PkiLayout, ca: CertificateAuthority): Promise<ServerTrust> {
  // While a rotation is under way, the roots and client anchors it replaced stay trusted beside the new ones.
  const rotatedCas = await listRotatedCas(rotatedDir(layout));
  const rotatedRoots = rotatedCas.filter((rotated) => rotated.issuerName === ROOT_ISSUER);
  const rotatedServerIssuers = ca.root
    ? rotatedCas.filter((rotated) => rotated.issuerName === ca.issuerName).map((rotated) => rotated.pem)
    : [];
  const rootPem = bundle([ca.root?.pem ?? ca.pem, ...rotatedRoots.map((rotated) => rotated.pem)]);
  const client = issuerFiles(layout, CLIENT_ISSUER);
  const clientPem = await readFile(client.certPath, "utf8").catch(() => undefined);
  if (clientPem === undefined) {
    // Named, not written: a --dry-run writes nothing (ca rotate and ca retire write ca/roots.crt).
    const source = rotatedRoots.length === 0 ? layout.caCert : trustedRootsFile(layout);
    return { clientCaPem: rootPem, rootPem, clientCaSource: source, rotatedServerIssuers };
  }
  const anchorPath = issuerAnchorPath(layout, CLIENT_ISSUER);
  const anchorPem = await readFile(anchorPath, "utf8").catch(() => undefined);
  const remake = `make the client intermediate again: pgwarden ca intermediate create --name ${CLIENT_ISSUER} --force`;
  if (anchorPem === undefined)
    throw pkiError(
      "client-anchor-missing",
      `${anchorPath} is missing, so the server cannot trust the client intermediate alone: ${remake}`,
    );
  try {
    const anchor = new X509Certificate(anchorPem);
    const intermediate = new X509Certificate(clientPem);
    const twin =
      anchor.subject === intermediate.subject &&
      anchor.publicKey.equals(intermediate.publicKey) &&
      anchor.checkIssued(anchor) &&
      anchor.verify(anchor.publicKey);
    if (!twin) throw new Error("not the twin");
  } catch {
    throw pkiError(
      "client-anchor-mismatch",
      `${anchorPath} is not the self-signed twin of ${client.certPath} (another key or subject): ${remake}`,
    );
  }
  // A revoked client intermediate is still trusted through its twin (no CRL can revoke a self-signed anchor): never install it.
  await refuseRevokedIssuer(layout, CLIENT_ISSUER, client.certPath, new X509Certificate(clientPem));
  return {
    clientCaPem: bundle([anchorPem, ...(await rotatedAnchorPems(layout, CLIENT_ISSUER))]),
    rootPem,
    clientCaSource: anchorPath,
    rotatedServerIssuers,
  };
}

/** PEM texts one after the other; a single one exactly as it was (a PKI that never rotated writes what it wrote before). */
function bundle(pems: readonly string[]): string {
  if (pems.length === 1) return pems[0] as string;
  return pems.map((pem) => (pem.endsWith("\n") ? pem : `${pem}\n`)).join("");
}

/**
 * `ssl_cert_file`: the server's leaf followed by the intermediate that signed it, so that clients
 * trusting the root alone can build the chain; the leaf alone when the root signed it. A leaf of an
 * intermediate `ca rotate --intermediate` replaced (`rotatedIssuers`, PEM) is followed by that one.
 */
export function servedCertificateChain(
  certPem: string,
  ca: CertificateAuthority,
  rotatedIssuers: readonly string[] = [],
): string {
  const leaf = new X509Certificate(certPem);
  const signedBy = (issuer: X509Certificate) => leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey);
  const chain = ca.chainPem ?? "";
  if (chain !== "" && signedBy(ca.certificate)) return `${certPem}${chain}`;
  const rotated = rotatedIssuers.find((pem) => signedBy(new X509Certificate(pem)));
  if (rotated === undefined) return certPem;
  return `${certPem.endsWith("\n") ? certPem : `${certPem}\n`}${rotated.endsWith("\n") ? rotated : `${rotated}\n`}`;
}
