import { readFile } from "node:fs/promises";

import { notFoundError, PgwardenError, pkiError, usageError } from "../../core/errors.js";
import { combinedCrlPath, type IssuerFiles } from "../authority/issuers.js";
import { sameKeyId } from "../authority/rotated-cas.js";
import { keyIdOfFile } from "../authority/rotation-journal.js";
import { crlStateName, listTrustedIssuerFiles } from "../authority/trusted-issuers.js";
import { decodePemBlocks } from "../encoding/pem.js";
import { normalizeSerial } from "../encoding/serial.js";
import type { PkiLayout } from "../pki-layout.js";
import { type CertificateRecord, readRecords, recordIssuerName } from "../records/certificate-records.js";
import {
  addRevocation,
  readRevocations,
  type RevocationReason,
  type RevocationRecord,
} from "../records/revocations.js";
import { parseRevocationList } from "../verify/revocation-list.js";
import type { IssuerKeyOptions } from "./crl-signer.js";
import { planCrls, writeCrls, type WriteCrlsResult } from "./crl-writer.js";

/** Which certificate to revoke: its serial, or its CN (and group) when that names one live certificate. */
export interface RevokeRequest extends IssuerKeyOptions {
  readonly serial?: string;
  readonly commonName?: string;
  readonly group?: string;
  /** Default "unspecified". */
  readonly reason?: RevocationReason;
  /** Default now. */
  readonly now?: Date;
  /** Life of the CRLs written, in days (crl-writer's default when absent). */
  readonly days?: number;
}

export interface RevokeResult {
  readonly certificate: CertificateRecord;
  /** The revocation on record: the new one, or the earlier one when the certificate was already revoked. */
  readonly revocation: RevocationRecord;
  readonly alreadyRevoked: boolean;
  /** The CRLs written; undefined when the certificate was already revoked and its CRL already lists it. */
  readonly written?: WriteCrlsResult;
}

function expiryText(record: CertificateRecord): string {
  return `${record.serial} (group ${record.group}, expires ${record.notAfter.slice(0, 10)})`;
}

/** The one certificate the request names, or an error saying why there is none or several. */
function chooseCertificate(
  records: readonly CertificateRecord[],
  revoked: ReadonlySet<string>,
  request: RevokeRequest,
  now: Date,
): CertificateRecord {
  if (request.serial !== undefined) {
    let serial: string;
    try {
      serial = normalizeSerial(request.serial);
    } catch {
      throw usageError(
        "bad-serial",
        `${JSON.stringify(request.serial)} is not a serial: give it in hex (as cert list prints it)`,
      );
    }
    const found = records.find((record) => normalizeSerial(record.serial) === serial);
    if (!found)
      throw notFoundError(
        "unknown-serial",
        `no certificate with serial ${serial} in pgwarden's records: pgwarden revokes only what it issued or signed (pgwarden cert list shows them)`,
      );
    return found;
  }
  const cn = request.commonName ?? "";
  const named = records.filter(
    (record) => record.commonName === cn && (request.group === undefined || record.group === request.group),
  );
  const where = request.group === undefined ? "" : ` in group ${request.group}`;
  if (named.length === 0)
    throw notFoundError(
      "unknown-cn",
      `no certificate with CN ${JSON.stringify(cn)}${where} in pgwarden's records (pgwarden cert list shows them)`,
    );
  const open = named.filter((record) => !revoked.has(`${recordIssuerName(record)}/${normalizeSerial(record.serial)}`));
  // Nothing left to revoke: report the latest revocation as done.
  if (open.length === 0) return named[named.length - 1] as CertificateRecord;
  const live = open.filter((record) => new Date(record.notAfter).getTime() > now.getTime());
  const candidates = live.length > 0 ? live : open;
  if (candidates.length > 1)
    throw usageError(
      "ambiguous-cn",
      `CN ${JSON.stringify(cn)}${where} names ${candidates.length} certificates: ${candidates.map(expiryText).join(", ")}; ` +
        "choose one with --serial (or --group)",
    );
  return candidates[0] as CertificateRecord;
}

/** Whether the issuer's CRL on disk lists the serial (and the combined file exists), so nothing needs writing. */
async function listedInCrl(layout: PkiLayout, files: IssuerFiles, serial: string): Promise<boolean> {
  try {
    const text = await readFile(files.crlPath, "utf8");
    const block = decodePemBlocks(text).find((candidate) => candidate.label === "X509 CRL");
    if (!block || !parseRevocationList(block.der).revoked.has(serial)) return false;
    await readFile(combinedCrlPath(layout));
    return true;
  } catch {
    return false;
  }
}

/**
 * The CA whose CRL must list the certificate: by the record's issuer name and, when it has one, issuer key id,
 * so that a certificate a rotated CA signed goes into that CA's CRL (signed with its key in `ca/rotated/`).
 * A key id that is neither the current issuer's nor a rotated one's is a retired CA's (or a lost one's): exit 7.
 */
async function signerOf(
  layout: PkiLayout,
  certificate: CertificateRecord,
  issuerName: string,
  serial: string,
): Promise<IssuerFiles> {
  const named = (await listTrustedIssuerFiles(layout)).filter((files) => files.name === issuerName);
  const current = named.find((files) => files.rotatedKeyId === undefined);
  const keyId = certificate.issuerKeyId;
  if (keyId !== undefined) {
    const rotated = named.find((files) => sameKeyId(files.rotatedKeyId, keyId));
    if (rotated) return rotated;
    if (current && !sameKeyId(await keyIdOfFile(current.certPath), keyId))
      throw pkiError(
        "issuer-retired",
        `certificate ${serial} was signed by ${issuerName} key ${keyId.slice(0, 16)}, which is neither the current ${issuerName} ` +
          "nor a rotated one (retired with pgwarden ca retire?): nothing trusts that CA any more, so no CRL needs it",
      );
  }
  if (!current)
    throw pkiError(
      "issuer-missing",
      `certificate ${serial} was issued by ${issuerName}, which has no certificate in ${layout.caDir}: restore it to sign its CRL`,
    );
  return current;
}

/**
 * Revokes one certificate pgwarden issued or signed: records the revocation (time, reason) in
 * `db/revocations/`, then writes its issuer's CRL and the combined file. The issuer keys are
 * loaded before anything is recorded, so a wrong passphrase or a missing key changes nothing.
 * A certificate already revoked is not revoked again (its first revocation stands); its CRL is
 * written only if it does not list it yet (a run killed between the two steps).
 */
export async function revokeCertificate(layout: PkiLayout, request: RevokeRequest): Promise<RevokeResult> {
  const now = request.now ?? new Date();
  if ((request.serial === undefined) === (request.commonName === undefined))
    throw usageError("revoke-target", "give the certificate to revoke: a SERIAL, or --cn CN (with --group to choose)");
  const [{ records, failed }, { revocations }] = await Promise.all([readRecords(layout), readRevocations(layout)]);
  if (failed.length > 0)
    throw pkiError("unreadable-records", `cannot read ${failed.join("; ")}: fix them, then revoke again`);
  const revokedKeys = new Map(
    revocations.map((revocation) => [`${revocation.issuerName}/${revocation.serial}`, revocation]),
  );
  const certificate = chooseCertificate(records, new Set(revokedKeys.keys()), request, now);
  const issuerName = recordIssuerName(certificate);
  const serial = normalizeSerial(certificate.serial);
  const earlier = revokedKeys.get(`${issuerName}/${serial}`);
  let signer: IssuerFiles;
  try {
    signer = await signerOf(layout, certificate, issuerName, serial);
  } catch (error) {
    // Revoked before its CA was retired: done, and no CRL needs it any more.
    if (earlier && error instanceof PgwardenError && error.code === "issuer-retired")
      return { certificate, revocation: earlier, alreadyRevoked: true };
    throw error;
  }
  if (earlier && (await listedInCrl(layout, signer, serial)))
    return { certificate, revocation: earlier, alreadyRevoked: true };
  const plan = await planCrls(layout, { ...request, only: [crlStateName(signer)] });
  const revocation: RevocationRecord = earlier ?? {
    version: 1,
    serial,
    issuerName,
    ...(certificate.issuerKeyId === undefined ? {} : { issuerKeyId: certificate.issuerKeyId }),
    revokedAt: now.toISOString(),
    reason: request.reason ?? "unspecified",
  };
  if (!earlier) await addRevocation(layout, revocation);
  const written = await writeCrls(layout, { ...request, now, only: [crlStateName(signer)] }, plan);
  return { certificate, revocation, alreadyRevoked: earlier !== undefined, written };
}
