import { type CertificateSighting } from "./audit-report.js";
import { type Markup, markup } from "./html-markup.js";

const DAY_MS = 86_400_000;
/** A certificate this close to its end is as urgent as the audit's expiring check says (30 days: high). */
const URGENT_DAYS = 30;
const SOON_DAYS = 90;
/** The axis shows at least this much before and after now, and at most this far ahead: a 10-year CA would flatten the rest. */
const PAST_DAYS = 30;
const MIN_AHEAD_DAYS = 120;
const MAX_AHEAD_DAYS = 730;
const MARGIN_DAYS = 15;

/** The drawing's geometry, in SVG user units (the SVG scales to its container). */
const WIDTH = 960;
const LABEL_RIGHT = 250;
const CHART_LEFT = 260;
const CHART_RIGHT = 830;
const ROW_HEIGHT = 30;
const MIDDLE = ROW_HEIGHT / 2;
const TOP = 34;
const BOTTOM = 12;
const LABEL_CHARS = 34;
/** A month's label this close to the now line would sit under the line's own label. */
const NOW_LABEL_CLEARANCE = 40;

/** How urgent a certificate is, from the days it has left: the chart colours its mark by it. */
export type ExpiryBand = "expired" | "urgent" | "soon" | "ok";

/** The band of a certificate with `daysLeft` days left (negative: expired that many days ago). */
export function expiryBand(daysLeft: number): ExpiryBand {
  return daysLeft < 0 ? "expired" : daysLeft <= URGENT_DAYS ? "urgent" : daysLeft <= SOON_DAYS ? "soon" : "ok";
}

/** Whole days from `now` to the certificate's notAfter, rounded down (negative once expired). */
export function daysLeft(certificate: Pick<CertificateSighting, "notAfter">, now: Date): number {
  return Math.floor((Date.parse(certificate.notAfter) - now.getTime()) / DAY_MS);
}

/** `10 days left`, `expires today`, `expired 5 days ago`. */
export function daysLeftText(days: number): string {
  if (days < 0) return `expired ${-days} day${days === -1 ? "" : "s"} ago`;
  if (days === 0) return "expires today";
  return `${days} day${days === 1 ? "" : "s"} left`;
}

/**
 * The certificate-expiry timeline as inline SVG, drawn here so the page needs no script or
 * library for it: one row per certificate, its validity as a bar and its notAfter as a point,
 * coloured by the days it has left, against a time axis with a line at `now`. The axis runs from
 * a month before now (earlier when a certificate expired before that) to the last expiry, at most
 * two years ahead; a bar that runs past the axis ends in an arrow and says its date.
 */
export function certificateTimeline(certificates: readonly CertificateSighting[], now: Date): Markup {
  const nowMs = now.getTime();
  const ends = certificates.map((certificate) => Date.parse(certificate.notAfter));
  const start = Math.min(nowMs - PAST_DAYS * DAY_MS, ...ends.map((end) => end - MARGIN_DAYS * DAY_MS));
  const latest = Math.max(...ends, nowMs + MIN_AHEAD_DAYS * DAY_MS);
  const end = Math.min(latest + MARGIN_DAYS * DAY_MS, nowMs + MAX_AHEAD_DAYS * DAY_MS);
  const x = (ms: number) =>
    round(CHART_LEFT + ((Math.min(Math.max(ms, start), end) - start) / (end - start)) * (CHART_RIGHT - CHART_LEFT));
  const height = TOP + certificates.length * ROW_HEIGHT + BOTTOM;
  const nowX = x(nowMs);
  const plural = certificates.length === 1 ? "" : "s";
  const tickMarks = ticks(start, end)
    .filter((tick) => Math.abs(x(tick) - nowX) > NOW_LABEL_CLEARANCE)
    .map(
      (tick) =>
        markup`<g class="tick"><line x1="${x(tick)}" x2="${x(tick)}" y1="${TOP - 6}" y2="${height - BOTTOM}"></line><text x="${x(tick)}" y="${TOP - 12}" text-anchor="middle">${new Date(tick).toISOString().slice(0, 7)}</text></g>`,
    );
  const rows = certificates.map((certificate, index) => row(certificate, TOP + index * ROW_HEIGHT, now, end, x));
  return markup`<svg class="timeline" role="img" aria-labelledby="timeline-title" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="timeline-title">Certificate expiry: ${certificates.length} certificate${plural} against time, with today marked</title>
${tickMarks}
${rows}
<g class="now"><line x1="${nowX}" x2="${nowX}" y1="${TOP - 22}" y2="${height - BOTTOM}"></line><text x="${nowX + 4}" y="${TOP - 24}">now ${now.toISOString().slice(0, 10)}</text></g>
</svg>`;
}

/** One certificate's row: its subject, its validity as a bar, its end as a point (or an arrow past the axis), days left. */
function row(
  certificate: CertificateSighting,
  y: number,
  now: Date,
  axisEnd: number,
  x: (ms: number) => number,
): Markup {
  const left = daysLeft(certificate, now);
  const band = expiryBand(left);
  const notAfter = Date.parse(certificate.notAfter);
  const barStart = x(Date.parse(certificate.notBefore));
  const barEnd = x(notAfter);
  const beyond = notAfter > axisEnd;
  const { subject } = certificate;
  const label = subject.length > LABEL_CHARS ? `${subject.slice(0, LABEL_CHARS - 1)}…` : subject;
  const tip =
    `${subject} (serial ${certificate.serial}), ${certificate.seenAt} on ${certificate.target}: ` +
    `valid ${certificate.notBefore} to ${certificate.notAfter}, ${daysLeftText(left)}`;
  const end = beyond
    ? markup`<path class="cert-arrow" d="M${barEnd} ${MIDDLE - 8} l9 8 l-9 8 z"></path>`
    : markup`<circle class="cert-expiry" cx="${barEnd}" cy="${MIDDLE}" r="6"></circle>`;
  return markup`<g class="cert ${band}" data-days-left="${left}" data-band="${band}" transform="translate(0 ${y})">
<title>${tip}</title>
<text class="cert-label" x="${LABEL_RIGHT}" y="${MIDDLE}" text-anchor="end" dominant-baseline="middle">${label}</text>
<rect class="cert-bar" x="${barStart}" y="${MIDDLE - 5}" width="${round(Math.max(barEnd - barStart, 2))}" height="10" rx="3"></rect>
${end}
<text class="cert-days" x="${CHART_RIGHT + 16}" y="${MIDDLE}" dominant-baseline="middle">${beyond ? certificate.notAfter.slice(0, 10) : daysLeftText(left)}</text>
</g>`;
}

/** The first day of every month, quarter or year between `start` and `end`, whichever gives at most about 12 ticks. */
function ticks(start: number, end: number): number[] {
  const spanMonths = (end - start) / (30 * DAY_MS);
  const step = spanMonths <= 12 ? 1 : spanMonths <= 36 ? 3 : 12;
  const first = new Date(start);
  const date = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1));
  while (date.getUTCMonth() % step !== 0) date.setUTCMonth(date.getUTCMonth() + 1);
  const result: number[] = [];
  for (; date.getTime() < end; date.setUTCMonth(date.getUTCMonth() + step)) result.push(date.getTime());
  return result;
}

const round = (value: number) => Math.round(value * 10) / 10;
