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
import { damagedRevocations, planCrls, writeCrls, type WriteCrlsResult } from "./crl-writer.js";
import { renewalChain } from "./renewal-chain.js";

/** Which certificate to revoke: its serial, or its CN (and group) when that names one live certificate. */
export interface RevokeRequest extends IssuerKeyOptions {
  /** Revoke an intermediate CA's certificate (every certificate it issued stops working). A root is never revoked. */
  readonly force?: boolean;
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
  /** Other certificates of its renewal chain revoked with it: always with --cn, and with reason keyCompromise. */
  readonly alsoRevoked: readonly CertificateRecord[];
  /** Other certificates of its renewal chain that stay valid (revoked by serial, for another reason than keyCompromise). */
  readonly stillValid: readonly CertificateRecord[];
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
  // Several certificates of one renewal chain are one credential: the newest is named, the chain revoked with it.
  const chain = renewalChain(records, candidates[candidates.length - 1] as CertificateRecord);
  if (candidates.every((candidate) => chain.includes(candidate)))
    return candidates[candidates.length - 1] as CertificateRecord;
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
    throw usageError(
      "revoke-target",
      request.serial === undefined
        ? "give the certificate to revoke: a SERIAL, or --cn CN (with --group to choose)"
        : "give either a SERIAL or --cn, not both: a serial names one certificate, --cn a certificate and its renewal chain",
    );
  const [{ records, failed }, { revocations, unreadable }] = await Promise.all([
    readRecords(layout),
    readRevocations(layout),
  ]);
  // Checked before anything is recorded: the CRL cannot be written while one is damaged.
  if (unreadable.length > 0) throw damagedRevocations(unreadable);
  if (failed.length > 0)
    throw pkiError("unreadable-records", `cannot read ${failed.join("; ")}: fix them, then revoke again`);
  const revokedKeys = new Map(
    revocations.map((revocation) => [`${revocation.issuerName}/${revocation.serial}`, revocation]),
  );
  const certificate = chooseCertificate(records, new Set(revokedKeys.keys()), request, now);
  const isRevoked = (record: CertificateRecord) =>
    revokedKeys.has(`${recordIssuerName(record)}/${normalizeSerial(record.serial)}`);
  refuseIssuerCertificate(records, certificate, request.force ?? false, now, isRevoked);
  const others = renewalChain(records, certificate).filter(
    (record) => record !== certificate && Date.parse(record.notAfter) > now.getTime() && !isRevoked(record),
  );
  const reason = request.reason ?? "unspecified";
  const withChain = request.commonName !== undefined || reason === "keyCompromise";
  const targets = [certificate, ...(withChain ? others : [])];
  const signers = new Map<CertificateRecord, IssuerFiles>();
  const earlierOf = (record: CertificateRecord) =>
    revokedKeys.get(`${recordIssuerName(record)}/${normalizeSerial(record.serial)}`);
  for (const target of targets) {
    const serial = normalizeSerial(target.serial);
    try {
      signers.set(target, await signerOf(layout, target, recordIssuerName(target), serial));
    } catch (error) {
      // Revoked before its CA was retired: done, and no CRL needs it any more.
      if (earlierOf(target) && error instanceof PgwardenError && error.code === "issuer-retired") continue;
      throw error;
    }
  }
  const earlier = earlierOf(certificate);
  const rest = { alsoRevoked: withChain ? others : [], stillValid: withChain ? [] : others };
  const pending = [];
  for (const target of targets) {
    const signer = signers.get(target);
    if (signer === undefined) continue;
    if (earlierOf(target) && (await listedInCrl(layout, signer, normalizeSerial(target.serial)))) continue;
    pending.push(target);
  }
  if (pending.length === 0)
    return { certificate, revocation: earlier as RevocationRecord, alreadyRevoked: true, ...rest };
  const only = [...new Set(pending.map((target) => crlStateName(signers.get(target) as IssuerFiles)))];
  const plan = await planCrls(layout, { ...request, only });
  let revocation = earlier;
  for (const target of pending) {
    const recorded = earlierOf(target);
    const record: RevocationRecord = recorded ?? {
      version: 1,
      serial: normalizeSerial(target.serial),
      issuerName: recordIssuerName(target),
      ...(target.issuerKeyId === undefined ? {} : { issuerKeyId: target.issuerKeyId }),
      revokedAt: now.toISOString(),
      reason,
    };
    if (!recorded) await addRevocation(layout, record);
    if (target === certificate) revocation = record;
  }
  const written = await writeCrls(layout, { ...request, now, only }, plan);
  return {
    certificate,
    revocation: revocation as RevocationRecord,
    alreadyRevoked: earlier !== undefined,
    written,
    ...rest,
  };
}

/**
 * A root's own certificate is never revoked (every certificate under it would stop at once; `ca
 * rotate` and `ca retire` replace a root); an intermediate's only with `force`, saying how many
 * valid certificates it takes down.
 */
function refuseIssuerCertificate(
  records: readonly CertificateRecord[],
  certificate: CertificateRecord,
  force: boolean,
  now: Date,
  isRevoked: (record: CertificateRecord) => boolean,
): void {
  const serial = normalizeSerial(certificate.serial);
  if (certificate.profile === "ca")
    throw usageError(
      "revoke-root",
      `serial ${serial} is the root CA's own certificate: revoking it locks out every certificate of the PKI; ` +
        "to replace the root use pgwarden ca rotate, then pgwarden ca retire the old one",
    );
  if (certificate.profile !== "intermediate" || force) return;
  const issued = records.filter(
    (record) =>
      record.issuer === certificate.subject && Date.parse(record.notAfter) > now.getTime() && !isRevoked(record),
  ).length;
  throw usageError(
    "revoke-intermediate",
    `serial ${serial} is the intermediate CA ${certificate.commonName}: revoking it makes every certificate it issued ` +
      `(${issued} valid on record) fail wherever the CRL is checked; pass --force if its key leaked, ` +
      "else replace it with pgwarden ca rotate --intermediate NAME",
  );
}
