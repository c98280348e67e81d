import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { pkiError } from "../../core/errors.js";
import { combinedCrlPath } from "../authority/issuers.js";
import { keyIdOf, sameKeyId } from "../authority/rotated-cas.js";
import { crlStateName, listTrustedIssuerFiles } from "../authority/trusted-issuers.js";
import { decodePemBlocks } from "../encoding/pem.js";
import { normalizeSerial } from "../encoding/serial.js";
import type { PkiLayout } from "../pki-layout.js";
import { readRevocations } from "../records/revocations.js";
import { certificateFacts } from "../verify/certificate-facts.js";
import { nameText } from "../verify/distinguished-name.js";
import { parseRevocationList } from "../verify/revocation-list.js";
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

/** Every issuer certificate of the PKI that can be read (root, intermediates, rotated CAs not retired), with its subject as text. */
async function pkiIssuers(layout: PkiLayout): Promise<{ name: string; der: Buffer; subject: string }[]> {
  const found: { name: string; der: Buffer; subject: string }[] = [];
  for (const files of await listTrustedIssuerFiles(layout)) {
    try {
      const block = decodePemBlocks(await readFile(files.certPath, "utf8")).find((b) => b.label === "CERTIFICATE");
      if (block)
        found.push({
          name: crlStateName(files),
          der: block.der,
          subject: nameText(certificateFacts(block.der).subject),
        });
    } catch {
      // An unreadable issuer certificate is reported by the commands that use it; here it signs nothing.
    }
  }
  return found;
}

/**
 * The CRL file servers install: `crl/combined.crl` (every issuer's CRL, `pgwarden crl`) when it
 * exists, else the root's `crl/ca.crl`, signed by one of the PKI's CAs and current ({@link checkCrl}).
 * `check.issuers` are trusted besides the PKI's own issuers (root, intermediates, and the CAs `ca rotate` replaced
 * that are not retired). With several, every one of them must have its CRL in the file: OpenSSL in PostgreSQL checks the CRL of
 * every certificate in the chain, so a missing one locks that issuer's certificates out.
 * Only a missing file means "no CRL": anything else in its place (a directory, an unreadable file, a
 * file that is not a PEM CRL) is an error, never silently skipped, since deploying without the
 * CRL would let revoked certificates in, and deploying a bad one locks every certificate out.
 */
export async function readCaCrl(layout: PkiLayout, check: CrlCheckOptions): Promise<string | undefined> {
  const combined = combinedCrlPath(layout);
  const issuers = await pkiIssuers(layout);
  const pem = (await readCrlFile(combined)) ?? (await readCrlFile(caCrlPath(layout)));
  if (pem === undefined) return undefined;
  const path = pem.path;
  const checked = await checkCrl(pem.text, [...check.issuers, ...issuers], check.now, path);
  const covered = new Set(checked.crls.map((crl) => crl.issuer));
  const uncovered = issuers.filter((issuer) => !covered.has(issuer.subject));
  if (uncovered.length > 0)
    throw pkiError(
      "crl-incomplete",
      `${path} holds no CRL of issuer ${uncovered.map((issuer) => issuer.name).join(", ")}, whose certificates a server ` +
        "given it would refuse: nothing was installed; run pgwarden crl to write every issuer's CRL and crl/combined.crl",
    );
  await refuseMissingRevocations(layout, pem, issuers);
  return checked.pem;
}

/**
 * A CRL file older than a revocation on record (restored from a backup, or a `cert revoke` killed
 * before it wrote the CRL) would let that revoked certificate in: refused, naming one such serial.
 * Revocations of a retired CA's certificates are not expected: nothing trusts that CA.
 */
async function refuseMissingRevocations(
  layout: PkiLayout,
  pem: { path: string; text: string },
  issuers: readonly { der: Buffer }[],
): Promise<void> {
  const listed = new Set<string>();
  for (const block of decodePemBlocks(pem.text).filter((candidate) => candidate.label === "X509 CRL"))
    for (const serial of parseRevocationList(block.der).revoked.keys()) listed.add(normalizeSerial(serial));
  const trustedKeys = issuers.map((issuer) => keyIdOf(issuer.der));
  const { revocations } = await readRevocations(layout);
  const missing = revocations.filter(
    (revocation) =>
      !listed.has(revocation.serial) &&
      (revocation.issuerKeyId === undefined || trustedKeys.some((keyId) => sameKeyId(keyId, revocation.issuerKeyId))),
  );
  if (missing.length > 0)
    throw pkiError(
      "crl-stale",
      `${pem.path} lacks ${missing.length} recorded revocation(s) (serial ${missing[0]?.serial ?? ""}), whose certificates a server ` +
        "given it would let in: nothing was installed; run pgwarden crl, then install again",
    );
}

/** The text of a CRL file, or undefined when it does not exist. */
async function readCrlFile(path: string): Promise<{ path: string; text: string } | undefined> {
  try {
    return { path, text: await readFile(path, "utf8") };
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
}
