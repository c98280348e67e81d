/*
 * When a certificate is due for renewal, as `step certificate needs-renewal` decides it: a fixed
 * time before notAfter (`--before 30d`), or a share of the certificate's lifetime left
 * (`--before-percent 33`); by default a third of the lifetime, step's default. The comparison
 * is OpenSSL's `x509 -checkend`: due when less than the threshold is left (strictly).
 */

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** How close to notAfter a certificate must be to be due. */
export type RenewalThreshold =
  { readonly kind: "before"; readonly ms: number } | { readonly kind: "percent"; readonly percent: number };

/** A third of the lifetime left, as step's needs-renewal by default. */
export const DEFAULT_RENEWAL_THRESHOLD: RenewalThreshold = { kind: "percent", percent: 100 / 3 };

/** The answer for one certificate, with what it was decided on. */
export interface RenewalVerdict {
  readonly due: boolean;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Time left until notAfter (negative once expired). */
  readonly remainingMs: number;
  /** Renewal is due once less than this is left. */
  readonly thresholdMs: number;
  readonly threshold: RenewalThreshold;
  /** One line: the verdict, notAfter, the time left and the threshold. */
  readonly reason: string;
}

/** `12d 3h`, `5h`, or `expired 2d 1h ago`: whole hours, enough for a renewal decision. */
export function formatRemaining(ms: number): string {
  const hours = Math.floor(Math.abs(ms) / MS_PER_HOUR);
  const text = hours >= 24 ? `${Math.floor(hours / 24)}d ${hours % 24}h` : `${hours}h`;
  return ms < 0 ? `expired ${text} ago` : `${text} left`;
}

function thresholdText(threshold: RenewalThreshold, thresholdMs: number, lifetimeMs: number): string {
  if (threshold.kind === "before")
    return `renew within ${formatRemaining(threshold.ms).replace(/ left$/, "")} of notAfter`;
  const lifetime = formatRemaining(lifetimeMs).replace(/ left$/, "");
  const share = Number.isInteger(threshold.percent) ? `${threshold.percent}%` : "a third";
  return `renew when ${share} of the ${lifetime} lifetime is left (${formatRemaining(thresholdMs).replace(/ left$/, "")})`;
}

/** Whether a certificate valid from `notBefore` to `notAfter` is due for renewal at `now`. */
export function renewalVerdict(
  validity: { readonly notBefore: Date; readonly notAfter: Date },
  threshold: RenewalThreshold,
  now: Date,
): RenewalVerdict {
  const lifetimeMs = validity.notAfter.getTime() - validity.notBefore.getTime();
  const remainingMs = validity.notAfter.getTime() - now.getTime();
  const thresholdMs = threshold.kind === "before" ? threshold.ms : Math.floor((lifetimeMs * threshold.percent) / 100);
  const due = remainingMs < thresholdMs;
  const notAfter = validity.notAfter.toISOString();
  const reason =
    `${due ? "renewal due" : "renewal not due"}: notAfter ${notAfter}, ${formatRemaining(remainingMs)}, ` +
    thresholdText(threshold, thresholdMs, lifetimeMs);
  return { due, notBefore: validity.notBefore.toISOString(), notAfter, remainingMs, thresholdMs, threshold, reason };
}

/** Whole days of a certificate's lifetime as `--days` gave it (the notBefore back-dating taken off), at least 1. */
export function lifetimeDays(notBefore: Date, notAfter: Date): number {
  return Math.max(1, Math.round((notAfter.getTime() - notBefore.getTime()) / MS_PER_DAY));
}
