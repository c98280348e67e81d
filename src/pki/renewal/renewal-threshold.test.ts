import assert from "node:assert/strict";
import { test } from "node:test";

import { DEFAULT_RENEWAL_THRESHOLD, formatRemaining, lifetimeDays, renewalVerdict } from "./renewal-threshold.js";

const DAY = 86_400_000;
const start = new Date("2026-01-01T00:00:00Z");
const year = { notBefore: start, notAfter: new Date(start.getTime() + 360 * DAY) };
const at = (days: number) => new Date(start.getTime() + days * DAY);

test("by default renewal is due once less than a third of the lifetime is left (step's default)", () => {
  assert.equal(renewalVerdict(year, DEFAULT_RENEWAL_THRESHOLD, at(239)).due, false);
  assert.equal(renewalVerdict(year, DEFAULT_RENEWAL_THRESHOLD, at(241)).due, true);
});

test("exactly the threshold left is not due yet (openssl x509 -checkend: due when less is left)", () => {
  const verdict = renewalVerdict(year, { kind: "before", ms: 30 * DAY }, at(330));
  assert.equal(verdict.remainingMs, 30 * DAY);
  assert.equal(verdict.due, false);
  assert.equal(renewalVerdict(year, { kind: "before", ms: 30 * DAY }, new Date(at(330).getTime() + 1)).due, true);
});

test("an expired certificate is due, and its line says since when; the line names notAfter and the threshold", () => {
  const verdict = renewalVerdict(year, { kind: "percent", percent: 10 }, at(362));
  assert.equal(verdict.due, true);
  assert.match(
    verdict.reason,
    /^renewal due: notAfter 2026-12-27T00:00:00.000Z, expired 2d 0h ago, renew when 10% of the 360d 0h lifetime is left \(36d 0h\)$/,
  );
  assert.equal(formatRemaining(5 * 3_600_000), "5h left");
});

test("a renewal keeps the lifetime --days gave, the 5-minute back-dating aside", () => {
  assert.equal(lifetimeDays(new Date(start.getTime() - 300_000), at(30)), 30);
  assert.equal(lifetimeDays(start, new Date(start.getTime() + 3_600_000)), 1);
});
