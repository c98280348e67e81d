import { pkiError, usageError } from "../../core/errors.js";

export const DEFAULT_ROOT_VALIDITY_DAYS = 3650;
export const DEFAULT_INTERMEDIATE_VALIDITY_DAYS = 1825;
export const DEFAULT_LEAF_VALIDITY_DAYS = 365;
/** notBefore is back-dated so that hosts whose clocks lag a little accept a fresh certificate. */
export const BACKDATE_MINUTES = 5;
/** Beyond 100 years a validity is a typo, not a plan. */
export const MAX_VALIDITY_DAYS = 36500;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/**
 * A certificate's lifetime as the library is given it: a whole number of days from 1 to {@link MAX_VALIDITY_DAYS},
 * the range the CLI's --days takes. Anything else would write a certificate already expired (-3), one of
 * five minutes (0, the back-dating), or crash the encoder (1.5, NaN, Infinity, 1e6): a usage error instead (exit 2).
 */
export function checkValidityDays(days: unknown): number {
  if (typeof days === "number" && Number.isInteger(days) && days >= 1 && days <= MAX_VALIDITY_DAYS) return days;
  const given = typeof days === "string" ? JSON.stringify(days) : String(days);
  throw usageError("bad-days", `days must be a whole number from 1 to ${MAX_VALIDITY_DAYS}, not ${given}`);
}

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

/**
 * The validity of a new certificate: back-dated by {@link BACKDATE_MINUTES}, but never before
 * the issuer's notBefore, and never past the issuer's notAfter. An issuer that is expired or
 * not yet valid at `now` signs nothing: its certificates would end before they begin, or
 * fail every verifier until it starts.
 */
export function computeValidity(request: ValidityRequest): Validity {
  checkValidityDays(request.days);
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
