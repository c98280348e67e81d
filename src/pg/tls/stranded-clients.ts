import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { pkiError } from "../../core/errors.js";
import { CLIENT_ISSUER, listIssuerFiles } from "../../pki/authority/issuers.js";
import { listRotatedCas, retiredDir, rotatedDir } from "../../pki/authority/rotated-cas.js";
import { decodeCertificates } from "../../pki/encoding/pem.js";
import { fingerprintSha256 } from "../../pki/issuing/leaf-signer.js";
import type { PkiLayout } from "../../pki/pki-layout.js";
import { type CertificateRecord, readRecords, recordIssuerName } from "../../pki/records/certificate-records.js";
import { readRevocations } from "../../pki/records/revocations.js";
import { verifyCertificate } from "../../pki/verify/verify-certificate.js";

/*
 * Adding intermediates to a PKI (ca init --intermediates) moves ssl_ca_file from the root to the client
 * intermediate's anchor twin: every client certificate the root (or another issuer) signed stops logging in
 * at the next pg tls --reload, the sandbox's own superuser certificate included. A deployment that would do
 * that to certificates pgwarden recorded is refused, naming them and the way out.
 */

/** A client certificate the server trusts today and would no longer trust with the new ssl_ca_file. */
export interface StrandedClient {
  readonly serial: string;
  readonly commonName: string;
  readonly group: string;
  readonly issuerName: string;
}

/** How many stranded certificates the refusal names; the rest are counted. */
const LISTED = 10;

/** The newest record of each certificate file: a renewal or re-issue writes over the file, superseding the older. */
function currentRecords(records: readonly CertificateRecord[]): CertificateRecord[] {
  const byPath = new Map<string, CertificateRecord>();
  for (const record of records) {
    const seen = byPath.get(record.certPath);
    if (!seen || seen.issuedAt <= record.issuedAt) byPath.set(record.certPath, record);
  }
  return [...byPath.values()];
}

/** Every CA certificate of the PKI (current, rotated, retired), which may complete a client's path. */
async function pkiCaCertificates(layout: PkiLayout): Promise<Buffer[]> {
  const current = await Promise.all(
    (await listIssuerFiles(layout)).map(async (files) => {
      const pem = await readFile(files.certPath, "utf8").catch(() => undefined);
      if (pem === undefined) return [];
      try {
        return decodeCertificates(pem, files.certPath);
      } catch {
        return [];
      }
    }),
  );
  const old = [...(await listRotatedCas(rotatedDir(layout))), ...(await listRotatedCas(retiredDir(layout)))];
  return [...current.flat(), ...old.map((ca) => ca.der)];
}

function anchors(pem: string, source: string): Buffer[] {
  try {
    return decodeCertificates(pem, source);
  } catch {
    return [];
  }
}

/**
 * The valid, unrevoked client certificates pgwarden recorded (newest of their file) that `installedCaPem`, the
 * ssl_ca_file the server has now, accepts and `newCaPem` would not: empty when nothing is installed yet. Only those
 * of other issuers than the client intermediate (the root's, another intermediate's): the client intermediate's own,
 * rotated or retired, are ca retire's concern (it refuses while any is valid).
 */
export async function strandedClients(
  layout: PkiLayout,
  installedCaPem: string | undefined,
  newCaPem: string,
  now: Date,
): Promise<StrandedClient[]> {
  if (installedCaPem === undefined) return [];
  const before = anchors(installedCaPem, "the installed ssl_ca_file");
  const after = anchors(newCaPem, "the new ssl_ca_file");
  if (before.length === 0) return [];
  const intermediates = await pkiCaCertificates(layout);
  const revoked = new Set(
    (await readRevocations(layout)).revocations.map((revocation) => `${revocation.issuerName}/${revocation.serial}`),
  );
  const candidates = currentRecords((await readRecords(layout)).records).filter(
    (record) =>
      record.profile === "client" &&
      recordIssuerName(record) !== CLIENT_ISSUER &&
      new Date(record.notAfter).getTime() > now.getTime() &&
      !revoked.has(`${recordIssuerName(record)}/${record.serial}`),
  );
  const stranded: StrandedClient[] = [];
  for (const record of candidates) {
    const pem = await readFile(join(layout.root, record.certPath), "utf8").catch(() => undefined);
    if (pem === undefined) continue;
    const der = anchors(pem, record.certPath)[0];
    // The file holds another certificate now (replaced outside the inventory): that one is not this record.
    if (!der || fingerprintSha256(der) !== record.fingerprintSha256) continue;
    const accepted = (roots: Buffer[]) => verifyCertificate(der, { roots, intermediates, purpose: "client", now }).ok;
    if (accepted(before) && !accepted(after))
      stranded.push({
        serial: record.serial,
        commonName: record.commonName,
        group: record.group,
        issuerName: recordIssuerName(record),
      });
  }
  return stranded;
}

/** The refusal (exit 7) naming the first {@link LISTED} stranded certificates, the count, and the fix. */
export function strandedClientsError(stranded: readonly StrandedClient[]): Error {
  const listed = stranded
    .slice(0, LISTED)
    .map((client) => `${client.group}/${client.commonName} (serial ${client.serial}, issuer ${client.issuerName})`);
  const more = stranded.length > LISTED ? ` and ${stranded.length - LISTED} more` : "";
  // One renew line per group they are in: --group client alone would leave the others out.
  const groups = [...new Set(stranded.map((client) => client.group))].sort();
  const renew = groups.map((group) => `pgwarden cert renew --all --group ${group} --issuer client`).join("; ");
  return pkiError(
    "clients-stranded",
    `the new ssl_ca_file trusts the client intermediate only, which would lock out ${stranded.length} client ` +
      `certificate(s) the server accepts now: ${listed.join(", ")}${more}; re-issue them first with ${renew} ` +
      "and deploy the new certificates (cert export), or pass --force to lock them out",
  );
}
