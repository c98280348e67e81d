import { pkiError, usageError } from "../core/errors.js";

export const DEFAULT_ROOT_VALIDITY_DAYS = 3650;
export const DEFAULT_INTERMEDIATE_VALIDITY_DAYS = 1825;
export const DEFAULT_LEAF_VALIDITY_DAYS = 365;
/** notBefore is back-dated so that hosts whose clocks lag a little accept a fresh certificate. */
export const BACKDATE_MINUTES = 5;
/** Beyond 100 years a validity is a typo, not a plan. */
export const MAX_VALIDITY_DAYS = 36500;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** True when notAfter was cut back to the issuer's notAfter. */
  readonly clamped: boolean;
  /** True when notBefore was moved up to the issuer's notBefore. */
  readonly notBeforeRaised: boolean;
}

export interface ValidityRequest {
  /** Requested lifetime in whole days. */
  days: number;
  /** The moment of issue; injected so tests can pin it. */
  now: Date;
  /** The issuer's notAfter: a certificate never outlives its issuer. Absent for a self-signed root. */
  issuerNotAfter?: Date;
  /** The issuer's notBefore: a certificate is never valid before its issuer. */
  issuerNotBefore?: Date;
}

/** Parses `--days`: a whole number from 1 to {@link MAX_VALIDITY_DAYS}. */
export function parseDays(value: string | number): number {
  const text = String(value).trim();
  const days = /^-?[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw usageError("bad-days", `--days must be a whole number of days from 1 to ${MAX_VALIDITY_DAYS}, not "${text}"`);
  }
  return days;
}

/**
 * The validity of a new certificate: back-dated by {@link BACKDATE_MINUTES}, but never before
 * the issuer's notBefore, and never past the issuer's notAfter. An issuer that is expired or
 * not yet valid at `now` signs nothing: its certificates would end before they begin, or
 * fail every verifier until it starts.
 */
export function computeValidity(request: ValidityRequest): Validity {
  const seconds = Math.floor(request.now.getTime() / 1000) * 1000;
  const { issuerNotBefore, issuerNotAfter } = request;
  if (issuerNotBefore && issuerNotBefore.getTime() > request.now.getTime()) {
    throw pkiError(
      "ca-not-yet-valid",
      `the CA is not valid before ${issuerNotBefore.toISOString()}: fix this host's clock, or wait, before issuing from it`,
    );
  }
  if (issuerNotAfter && issuerNotAfter.getTime() <= seconds) {
    throw pkiError(
      "ca-expired",
      `the CA expired on ${issuerNotAfter.toISOString()}: a certificate it signs would end before it begins; make a new CA first`,
    );
  }
  const backdated = seconds - BACKDATE_MINUTES * MS_PER_MINUTE;
  const notBeforeRaised = issuerNotBefore !== undefined && issuerNotBefore.getTime() > backdated;
  const notBefore = new Date(notBeforeRaised ? issuerNotBefore.getTime() : backdated);
  const wanted = new Date(seconds + request.days * MS_PER_DAY);
  if (issuerNotAfter && wanted.getTime() > issuerNotAfter.getTime()) {
    return { notBefore, notAfter: new Date(issuerNotAfter.getTime()), clamped: true, notBeforeRaised };
  }
  return { notBefore, notAfter: wanted, clamped: false, notBeforeRaised };
}

/** Whole days from `now` until `date` (negative once past). */
export function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / MS_PER_DAY);
}

/** Parses a duration like `30d`, `12h` or `2w` into milliseconds (for `--expiring`). */
export function parseDuration(value: string): number {
  const match = /^([0-9]+)\s*([dhw])$/.exec(value.trim());
  if (!match) throw usageError("bad-duration", `"${value}" is not a duration: write it as 30d, 12h or 2w`);
  const unitMs = { h: 3_600_000, d: MS_PER_DAY, w: 7 * MS_PER_DAY }[match[2] as "h" | "d" | "w"];
  return Number(match[1]) * unitMs;
}
