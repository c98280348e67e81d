import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { BACKDATE_MINUTES, checkValidityDays, computeValidity, daysUntil, MAX_VALIDITY_DAYS } from "./validity.js";

const now = new Date("2026-06-01T12:00:00.500Z");

test("notBefore is back-dated and notAfter is the requested days later, to the second", () => {
  const validity = computeValidity({ days: 365, now });
  assert.equal(
    validity.notBefore.toISOString(),
    new Date(Date.parse("2026-06-01T12:00:00Z") - BACKDATE_MINUTES * 60_000).toISOString(),
  );
  assert.equal(validity.notAfter.toISOString(), "2027-06-01T12:00:00.000Z");
  assert.equal(validity.clamped, false);
});

test("a leaf never outlives its issuer: notAfter is clamped to the issuer's", () => {
  const issuerNotAfter = new Date("2026-07-01T00:00:00Z");
  const validity = computeValidity({ days: 365, now, issuerNotAfter });
  assert.equal(validity.notAfter.toISOString(), issuerNotAfter.toISOString());
  assert.equal(validity.clamped, true);
  assert.equal(computeValidity({ days: 10, now, issuerNotAfter }).clamped, false);
});

test("days left", () => {
  assert.equal(daysUntil(new Date("2026-06-11T12:00:00Z"), now), 9);
  assert.equal(daysUntil(new Date("2026-05-31T12:00:00Z"), now), -2);
});

test("a leaf is never valid before its issuer: notBefore is raised to the issuer's", () => {
  const issuerNotBefore = new Date("2026-06-01T11:58:00Z");
  const validity = computeValidity({ days: 30, now, issuerNotBefore });
  assert.equal(validity.notBefore.toISOString(), issuerNotBefore.toISOString());
  assert.equal(validity.notBeforeRaised, true);
  const older = computeValidity({ days: 30, now, issuerNotBefore: new Date("2026-01-01T00:00:00Z") });
  assert.equal(older.notBefore.toISOString(), "2026-06-01T11:55:00.000Z");
  assert.equal(older.notBeforeRaised, false);
});

test("an expired or not yet valid issuer signs nothing (exit 7), so notAfter never precedes notBefore", () => {
  const pki = (code: string) => (error: unknown) =>
    error instanceof PgwardenError && error.code === code && error.exitCode === 7;
  assert.throws(
    () => computeValidity({ days: 365, now, issuerNotAfter: new Date("2026-05-01T00:00:00Z") }),
    pki("ca-expired"),
  );
  assert.throws(
    () => computeValidity({ days: 365, now, issuerNotAfter: new Date("2026-06-01T12:00:00Z") }),
    pki("ca-expired"),
  );
  assert.throws(
    () => computeValidity({ days: 365, now, issuerNotBefore: new Date("2026-06-01T12:00:01Z") }),
    pki("ca-not-yet-valid"),
  );
  const lastSecond = computeValidity({ days: 365, now, issuerNotAfter: new Date("2026-06-01T12:00:01Z") });
  assert.ok(lastSecond.notAfter > lastSecond.notBefore);
});

const badDays = (code: string) => (error: unknown) =>
  error instanceof PgwardenError && error.code === code && error.exitCode === 2;

test("days outside 1..MAX_VALIDITY_DAYS, or not a whole number, are refused as bad-days (exit 2), as the CLI's --days", () => {
  for (const days of [-3, 0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e6, MAX_VALIDITY_DAYS + 1, "365" as unknown]) {
    assert.throws(() => checkValidityDays(days), badDays("bad-days"), `days ${String(days)}`);
    assert.throws(() => computeValidity({ days: days as number, now }), badDays("bad-days"), `days ${String(days)}`);
  }
  assert.throws(() => checkValidityDays(-3), /days must be a whole number from 1 to 36500, not -3/);
});

test("the boundary days 1 and MAX_VALIDITY_DAYS still give a validity of that length", () => {
  assert.equal(checkValidityDays(1), 1);
  assert.equal(computeValidity({ days: 1, now }).notAfter.toISOString(), "2026-06-02T12:00:00.000Z");
  assert.equal(computeValidity({ days: MAX_VALIDITY_DAYS, now }).notAfter.getUTCFullYear(), 2126);
});
