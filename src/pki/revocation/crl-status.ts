import { relative } from "node:path";

import { combinedCrlPath, type IssuerFiles, type IssuerKind } from "../authority/issuers.js";
import { sameKeyId } from "../authority/rotated-cas.js";
import { crlStateName, listTrustedIssuerFiles } from "../authority/trusted-issuers.js";
import { decodePemBlocks } from "../encoding/pem.js";
import { normalizeSerial } from "../encoding/serial.js";
import type { PkiLayout } from "../pki-layout.js";
import { readRevocations, type RevocationRecord } from "../records/revocations.js";
import { parseRevocationList } from "../verify/revocation-list.js";
import { type CrlInfo, crlInfo, crlInfoOfPem } from "./crl-info.js";
import { readCrlText } from "./crl-text.js";

/*
 * Whether each issuer's CRL will still be accepted tomorrow. A CRL past its nextUpdate makes
 * OpenSSL (and so PostgreSQL) refuse every certificate of its issuer ("CRL has expired"): the
 * outage easy-rsa users meet once a year. The warning starts a third of the CRL's life before
 * nextUpdate, and never less than two days before (a weekend), so a daily timer that stopped is
 * noticed while there is time to act.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
/** The warning window is never shorter than this. */
export const MIN_CRL_WARNING_MS = 2 * DAY_MS;

/**
 * `current`: fine. `due`: nextUpdate is within the warning window. `expired`: nextUpdate passed.
 * `missing`: no CRL file (a problem only when one is needed: see {@link IssuerCrlStatus.needed}).
 * `unreadable`: a file that is no CRL. `incomplete`: revocations are recorded that the CRL does not
 * list (a `cert revoke` killed between recording and writing): their certificates still get in.
 */
export type CrlState = "current" | "due" | "expired" | "incomplete" | "missing" | "unreadable";

/** One issuer's CRL as `crl status` reports it. */
export interface IssuerCrlStatus {
  /** The issuer's name; for a CA `ca rotate` replaced, `<name>-<key id 16>` ({@link crlStateName}). */
  readonly issuer: string;
  readonly kind: IssuerKind;
  /** Set for a rotated CA (trusted until `ca retire`): its hex key id. */
  readonly rotatedKeyId?: string;
  /** Relative to the PKI root. */
  readonly path: string;
  readonly state: CrlState;
  readonly number?: number;
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  /** Revoked serials in the CRL. */
  readonly entries?: number;
  /** When the warning window opens ({@link crlWarningStart}). */
  readonly warnFrom?: Date;
  /** Revocations on record for this issuer. */
  readonly revocations: number;
  /** One line saying what is wrong and what to do, when something is. */
  readonly problem?: string;
}

/** The combined file servers install: `current`, `missing`, `stale` (older than an issuer's CRL) or `unreadable`. */
export interface CombinedCrlStatus {
  readonly path: string;
  readonly state: "current" | "missing" | "stale" | "unreadable" | "none-needed";
  readonly problem?: string;
}

export interface CrlStatusResult {
  readonly issuers: IssuerCrlStatus[];
  readonly combined: CombinedCrlStatus;
  /** Every problem, one line each: `crl status` exits 1 when there is any. */
  readonly problems: string[];
}

/** When a CRL valid from `thisUpdate` to `nextUpdate` starts to be reported: a third of its life, or 2 days, whichever is more. */
export function crlWarningStart(thisUpdate: Date, nextUpdate: Date): Date {
  const window = Math.max((nextUpdate.getTime() - thisUpdate.getTime()) / 3, MIN_CRL_WARNING_MS);
  return new Date(nextUpdate.getTime() - window);
}

/** `3d 4h`, `5h 10m`, `12m`: how far off a time is. */
export function durationText(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  return hours > 0 ? `${hours}h ${minutes % 60}m` : `${minutes}m`;
}

const RENEW = "run pgwarden crl and install it (pgwarden pg tls ... --reload on each server)";

function stateOf(info: CrlInfo, now: Date): { state: CrlState; warnFrom?: Date } {
  if (!info.nextUpdate) return { state: "current" };
  const warnFrom = crlWarningStart(info.thisUpdate, info.nextUpdate);
  if (info.nextUpdate.getTime() <= now.getTime()) return { state: "expired", warnFrom };
  return { state: now.getTime() >= warnFrom.getTime() ? "due" : "current", warnFrom };
}

/** Whether a revocation is of a certificate `files` signed: a rotated CA's by key id; a current CA's unless a rotated one's. */
function revokedBy(files: IssuerFiles, all: readonly IssuerFiles[], revocation: RevocationRecord): boolean {
  if (revocation.issuerName !== files.name) return false;
  if (files.rotatedKeyId !== undefined) return sameKeyId(files.rotatedKeyId, revocation.issuerKeyId);
  return !all.some(
    (other) => other.rotatedKeyId !== undefined && sameKeyId(other.rotatedKeyId, revocation.issuerKeyId),
  );
}

/** Each issuer's CRL (rotated CAs not retired included), the combined file, and what needs doing, at `now`. */
export async function crlStatus(layout: PkiLayout, now: Date = new Date()): Promise<CrlStatusResult> {
  const issuers = await listTrustedIssuerFiles(layout);
  const { revocations, unreadable } = await readRevocations(layout);
  const infos = new Map<string, CrlInfo>();
  const texts = await Promise.all(issuers.map((files) => readCrlText(files.crlPath)));
  const anyCrl = texts.some((text) => text !== undefined);
  const statuses = issuers.map((files, index): IssuerCrlStatus => {
    const path = relative(layout.root, files.crlPath);
    const mine = revocations.filter((revocation) => revokedBy(files, issuers, revocation));
    const recorded = mine.length;
    const name = crlStateName(files);
    const base = {
      issuer: name,
      kind: files.kind,
      ...(files.rotatedKeyId === undefined ? {} : { rotatedKeyId: files.rotatedKeyId }),
      path,
      revocations: recorded,
    };
    const text = texts[index];
    if (text === undefined) {
      // Needed once anything is revoked, and once any issuer has one: a server given CRLs without this issuer's refuses its certificates.
      const needed = recorded > 0 || anyCrl;
      const why =
        recorded > 0 ? `${recorded} revocation(s) of its certificates are recorded` : "other issuers have one";
      return {
        ...base,
        state: "missing",
        ...(needed ? { problem: `issuer ${name} has no CRL (${path}) while ${why}: ${RENEW}` } : {}),
      };
    }
    const info = crlInfoOfPem(text);
    if (!info) return { ...base, state: "unreadable", problem: `${path} is not a readable CRL: ${RENEW}` };
    infos.set(name, info);
    const { state: timely, warnFrom } = stateOf(info, now);
    const listed = listedSerials(text);
    const unlisted = mine.filter((revocation) => !listed.has(revocation.serial));
    const state: CrlState = timely === "expired" || unlisted.length === 0 ? timely : "incomplete";
    const facts = {
      ...base,
      state,
      ...(info.number === undefined ? {} : { number: info.number }),
      thisUpdate: info.thisUpdate,
      ...(info.nextUpdate ? { nextUpdate: info.nextUpdate } : {}),
      entries: info.entries,
      ...(warnFrom ? { warnFrom } : {}),
    };
    const next = info.nextUpdate?.toISOString() ?? "";
    if (state === "expired")
      return {
        ...facts,
        problem:
          `the CRL of issuer ${name} (${path}) expired at ${next}: servers that installed it refuse every ` +
          `certificate it issued ("CRL has expired"): ${RENEW} now`,
      };
    if (state === "incomplete")
      return {
        ...facts,
        problem:
          `the CRL of issuer ${name} (${path}) lacks ${unlisted.length} recorded revocation(s) (serial ${unlisted[0]?.serial ?? ""}` +
          `${unlisted.length > 1 ? ", ..." : ""}), whose certificates still get in: ${RENEW} now`,
      };
    if (state === "due")
      return {
        ...facts,
        problem: `the CRL of issuer ${name} (${path}) expires at ${next}, in ${durationText((info.nextUpdate?.getTime() ?? 0) - now.getTime())}: ${RENEW} before then`,
      };
    return facts;
  });
  const combined = await combinedStatus(layout, infos, anyCrl);
  const problems = [...statuses.flatMap((status) => (status.problem ? [status.problem] : []))];
  if (unreadable.length > 0)
    problems.push(
      `${unreadable[0] ?? ""}${unreadable.length > 1 ? ` and ${unreadable.length - 1} more` : ""} cannot be read as a revocation: ` +
        "the next CRL would drop that certificate, so pgwarden crl refuses to write one; restore it, or move it away and revoke again",
    );
  if (combined.problem) problems.push(combined.problem);
  return { issuers: statuses, combined, problems };
}

/** The serials a CRL file lists (its first CRL), as revocation records write them. */
function listedSerials(text: string): ReadonlySet<string> {
  const block = decodePemBlocks(text).find((candidate) => candidate.label === "X509 CRL");
  if (!block) return new Set();
  try {
    return new Set([...parseRevocationList(block.der).revoked.keys()].map((serial) => normalizeSerial(serial)));
  } catch {
    return new Set();
  }
}

async function combinedStatus(
  layout: PkiLayout,
  infos: ReadonlyMap<string, CrlInfo>,
  anyCrl: boolean,
): Promise<CombinedCrlStatus> {
  const absolute = combinedCrlPath(layout);
  const path = relative(layout.root, absolute);
  const text = await readCrlText(absolute);
  if (text === undefined)
    return anyCrl
      ? { path, state: "missing", problem: `${path} is missing, and it is the file servers install: run pgwarden crl` }
      : { path, state: "none-needed" };
  let inside: CrlInfo[];
  try {
    inside = decodePemBlocks(text)
      .filter((block) => block.label === "X509 CRL")
      .map((block) => crlInfo(block.der));
  } catch {
    inside = [];
  }
  if (inside.length === 0)
    return { path, state: "unreadable", problem: `${path} holds no readable CRL: run pgwarden crl` };
  for (const [issuer, info] of infos) {
    const copy = inside.find(
      (candidate) => candidate.authorityKeyId === info.authorityKeyId && candidate.issuer === info.issuer,
    );
    if (copy?.number !== info.number)
      return {
        path,
        state: "stale",
        problem: `${path} does not hold the newest CRL of issuer ${issuer} (number ${info.number ?? "none"}): run pgwarden crl`,
      };
  }
  return { path, state: "current" };
}
