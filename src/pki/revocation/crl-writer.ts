import { basename } from "node:path";

import { type PgwardenError, pkiError, usageError } from "../../core/errors.js";
import {
  ensureDirectory,
  PUBLIC_FILE_MODE,
  removeStaleTempFiles,
  syncDirectory,
  writeFileAtomic,
} from "../../core/fs/atomic-write.js";
import { combinedCrlPath, type IssuerFiles } from "../authority/issuers.js";
import { crlStateName, listTrustedIssuerFiles } from "../authority/trusted-issuers.js";
import { toPem } from "../encoding/der.js";
import { BACKDATE_MINUTES } from "../issuing/validity.js";
import type { PkiLayout } from "../pki-layout.js";
import { readRevocations, REVOCATION_REASONS, type RevocationRecord } from "../records/revocations.js";
import { type CrlEntry, encodeCrl } from "./crl-der.js";
import { crlNumberOfPem } from "./crl-info.js";
import { withLock } from "./crl-lock.js";
import { advanceCrlNumber, crlLockPath, lastCrlNumber } from "./crl-number.js";
import { type CrlSigner, type IssuerKeyOptions, loadCrlSigner } from "./crl-signer.js";
import { readCrlText } from "./crl-text.js";

/**
 * Days from one CRL to its nextUpdate by default. A week: short enough that a CRL lost or
 * forgotten is noticed (status warns from day 5), long enough that a daily timer that fails for
 * a few days, or a weekend, does not let it expire, which would lock out every certificate of its issuer.
 */
export const DEFAULT_CRL_VALIDITY_DAYS = 7;
/** A longer CRL life gives a stolen revoked certificate's holder more time with a replayed old CRL. */
export const MAX_CRL_VALIDITY_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The CRL directory holds public files only. */
const CRL_DIR_MODE = 0o755;

export interface WriteCrlsOptions extends IssuerKeyOptions {
  /** The moment of writing; thisUpdate is {@link BACKDATE_MINUTES} before it, as leaves' notBefore. Default now. */
  readonly now?: Date;
  /** nextUpdate is this many days after `now`. Default {@link DEFAULT_CRL_VALIDITY_DAYS}. */
  readonly days?: number;
  /**
   * The issuers whose CRL is written anew, by {@link crlStateName} (`ca`, `client`, `ca-<key id 16>` for a rotated
   * CA); the others only when theirs is missing or unreadable (the combined file needs every issuer's). Default all.
   */
  readonly only?: readonly string[];
}

/** One CRL written. */
export interface WrittenCrl {
  readonly issuer: string;
  readonly path: string;
  readonly number: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: number;
}

export interface WriteCrlsResult {
  readonly crls: WrittenCrl[];
  /** `crl/combined.crl`: every issuer's CRL, the file servers install. */
  readonly combinedPath: string;
  /** Revocation files that could not be read (their certificates are not in any CRL). */
  readonly unreadable: string[];
}

/**
 * The revocations of certificates this signer issued: same issuer name, and same key when the record knows it.
 * A rotated CA takes only those that name its key: a record without a key id is the current CA's.
 */
export function revocationsOf(signer: CrlSigner, revocations: readonly RevocationRecord[]): CrlEntry[] {
  const keyId = signer.keyId.toString("hex");
  const rotated = signer.files.rotatedKeyId !== undefined;
  return revocations
    .filter(
      (revocation) =>
        revocation.issuerName === signer.files.name &&
        (revocation.issuerKeyId === undefined
          ? !rotated
          : revocation.issuerKeyId.replace(/:/g, "").toLowerCase() === keyId),
    )
    .map((revocation) => ({
      serial: revocation.serial,
      revokedAt: new Date(revocation.revokedAt),
      reasonCode: REVOCATION_REASONS[revocation.reason],
    }));
}

/** The PEM of a CRL signed by `signer`, valid from `now` (back-dated) for `days`. */
export function signCrl(
  signer: CrlSigner,
  entries: readonly CrlEntry[],
  options: { readonly number: number; readonly now: Date; readonly days: number },
): { pem: string; thisUpdate: Date; nextUpdate: Date } {
  const thisUpdate = new Date(options.now.getTime() - BACKDATE_MINUTES * 60 * 1000);
  const nextUpdate = new Date(options.now.getTime() + options.days * DAY_MS);
  const der = encodeCrl({
    issuerName: signer.subjectDer,
    issuerKeyId: signer.keyId,
    issuerKey: signer.key,
    number: options.number,
    thisUpdate,
    nextUpdate,
    entries,
  });
  return { pem: toPem(der, "X509 CRL"), thisUpdate, nextUpdate };
}

/**
 * Writes one issuer's CRL under its lock: the revocations are read, the number advanced and
 * stored, then the CRL written atomically. Read under the lock, so the CRL with the highest
 * number holds every revocation recorded before it was written.
 */
async function writeIssuerCrl(
  layout: PkiLayout,
  signer: CrlSigner,
  options: { now: Date; days: number; unreadable: Set<string> },
): Promise<WrittenCrl> {
  const { files } = signer;
  const stateName = crlStateName(files);
  return withLock(crlLockPath(layout, stateName), { what: `the CRL of issuer ${stateName}` }, async () => {
    const { revocations, unreadable } = await readRevocations(layout);
    if (unreadable.length > 0) throw damagedRevocations(unreadable);
    const entries = revocationsOf(signer, revocations);
    const current = await readCrlText(files.crlPath);
    // A rotated CA's CRLs carried the issuer's numbers until it was replaced: go on above them, never reuse one.
    const floor = Math.max(
      current === undefined ? 0 : (crlNumberOfPem(current) ?? 0),
      files.rotatedKeyId === undefined ? 0 : await lastCrlNumber(layout, files.name),
    );
    const number = await advanceCrlNumber(layout, stateName, floor);
    const { pem, thisUpdate, nextUpdate } = signCrl(signer, entries, { number, now: options.now, days: options.days });
    await writeFileAtomic(files.crlPath, pem, { mode: PUBLIC_FILE_MODE });
    return { issuer: stateName, path: files.crlPath, number, thisUpdate, nextUpdate, entries: entries.length };
  });
}

/**
 * Rewrites `crl/combined.crl` from the CRLs on disk of the CAs trusted now, without signing anything: after
 * `ca retire`, so the retired CA's CRL leaves it. Does nothing when there is no combined file yet.
 */
export async function rewriteCombinedCrl(layout: PkiLayout): Promise<string | undefined> {
  if ((await readCrlText(combinedCrlPath(layout))) === undefined) return undefined;
  return writeCombined(layout, await listTrustedIssuerFiles(layout));
}

/**
 * The combined file, every issuer's CRL one after the other, written under its own lock from
 * the issuer files as they are then: the last writer reads the newest of each.
 */
async function writeCombined(layout: PkiLayout, issuers: readonly IssuerFiles[]): Promise<string> {
  const path = combinedCrlPath(layout);
  await withLock(crlLockPath(layout, "combined"), { what: "the combined CRL" }, async () => {
    const parts: string[] = [];
    for (const files of issuers) {
      const text = await readCrlText(files.crlPath);
      if (text === undefined || crlNumberOfPem(text) === undefined)
        throw pkiError(
          "crl-missing",
          `${files.crlPath} is missing or unreadable, and a server given CRLs without issuer ${crlStateName(files)}'s refuses every ` +
            `certificate it issued: run pgwarden crl`,
        );
      parts.push(text.endsWith("\n") ? text : `${text}\n`);
    }
    await writeFileAtomic(path, parts.join(""), { mode: PUBLIC_FILE_MODE });
  });
  await syncDirectory(layout.crlDir);
  return path;
}

/** The issuers whose CRL a write makes, with their keys loaded: what {@link writeCrls} needs before it writes anything. */
export interface CrlPlan {
  readonly issuers: readonly IssuerFiles[];
  readonly signers: readonly CrlSigner[];
}

/**
 * Loads the keys of the issuers whose CRL is to be written: those in `only` (default all) and any
 * whose CRL is missing or unreadable. A wrong passphrase or a missing key fails here, before anything is written.
 */
export async function planCrls(
  layout: PkiLayout,
  options: Pick<WriteCrlsOptions, "only" | keyof IssuerKeyOptions> = {},
): Promise<CrlPlan> {
  const issuers = await listTrustedIssuerFiles(layout);
  if (!issuers.some((files) => files.rotatedKeyId === undefined))
    throw pkiError("ca-missing", `no CA in ${layout.caDir}: run pgwarden ca init --pki ${layout.root}`);
  for (const name of options.only ?? [])
    if (!issuers.some((files) => crlStateName(files) === name))
      throw pkiError("issuer-missing", `issuer ${name} has no certificate in ${layout.caDir}, so it cannot sign a CRL`);
  const chosen: IssuerFiles[] = [];
  for (const files of issuers) {
    const wanted = options.only === undefined || options.only.includes(crlStateName(files));
    // Read for every issuer, so a directory or an unreadable file in a CRL's place stops the write before anything is written.
    const current = await readCrlText(files.crlPath);
    if (wanted || current === undefined || crlNumberOfPem(current) === undefined) chosen.push(files);
  }
  const signers: CrlSigner[] = [];
  for (const files of chosen) signers.push(await loadCrlSigner(files, options));
  return { issuers, signers };
}

/**
 * A revocation file pgwarden cannot read would drop its certificate from the next CRL: a revoked
 * certificate would log in again. So no CRL is written until it is restored or recorded again;
 * its name starts with the serial it revoked.
 */
export function damagedRevocations(paths: readonly string[]): PgwardenError {
  const first = paths[0] as string;
  const serial = /^([0-9a-f]+)-/.exec(basename(first))?.[1];
  const again = serial === undefined ? "" : ` (pgwarden cert revoke ${serial} records it again)`;
  return pkiError(
    "damaged-revocation",
    `${paths.length === 1 ? first : `${first} and ${paths.length - 1} more revocation files`} cannot be read as a revocation, ` +
      `so the CRL would let that certificate in again: nothing was written; restore it from a backup, or move it out of ` +
      `db/revocations/ and revoke the certificate again${again}`,
  );
}

/**
 * Writes the CRL of every issuer of the PKI (or of `only`, plus any whose CRL is missing) and
 * then the combined file. Every key is loaded first ({@link planCrls}, or `plan` when the caller
 * did it), so a wrong passphrase writes nothing.
 */
export async function writeCrls(
  layout: PkiLayout,
  options: WriteCrlsOptions = {},
  plan?: CrlPlan,
): Promise<WriteCrlsResult> {
  const now = options.now ?? new Date();
  const days = options.days ?? DEFAULT_CRL_VALIDITY_DAYS;
  const { issuers, signers } = plan ?? (await planCrls(layout, options));
  if (!Number.isInteger(days) || days < 1 || days > MAX_CRL_VALIDITY_DAYS)
    throw usageError("bad-days", `CRL validity must be 1 to ${MAX_CRL_VALIDITY_DAYS} days, not ${days}`);
  await ensureDirectory(layout.crlDir, CRL_DIR_MODE);
  // What writers killed mid-write left behind (their pid is gone).
  await Promise.all([removeStaleTempFiles(layout.crlDir), removeStaleTempFiles(layout.crlStateDir)]);
  const unreadable = new Set<string>();
  const crls: WrittenCrl[] = [];
  for (const signer of signers) crls.push(await writeIssuerCrl(layout, signer, { now, days, unreadable }));
  const combinedPath = await writeCombined(layout, issuers);
  return { crls, combinedPath, unreadable: [...unreadable].sort() };
}
