import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "./errors.js";
import { quoteIdentifier, quoteLiteral } from "./identifier.js";

test("identifiers are always double-quoted with inner quotes doubled, as quote_ident does", () => {
  assert.equal(quoteIdentifier("dbuser_app"), '"dbuser_app"');
  assert.equal(quoteIdentifier("Mixed Case"), '"Mixed Case"');
  assert.equal(quoteIdentifier('a"; DROP ROLE postgres; --'), '"a""; DROP ROLE postgres; --"');
  assert.equal(quoteIdentifier("back\\slash"), '"back\\slash"', "backslashes mean nothing inside an identifier");
  assert.equal(quoteIdentifier("\u00e9l\u00e8ve"), '"\u00e9l\u00e8ve"');
});

test("names that cannot be one role are refused: empty, NUL, longer than 63 bytes", () => {
  for (const name of ["", "a\0b", "x".repeat(64), "\u00e9".repeat(32)]) {
    assert.throws(
      () => quoteIdentifier(name),
      (error: unknown) => error instanceof PgwardenError && error.code === "bad-identifier" && error.exitCode === 2,
      JSON.stringify(name),
    );
  }
  assert.equal(quoteIdentifier("x".repeat(63)), `"${"x".repeat(63)}"`);
});

test("literals double quotes, and with a backslash use E'' with doubled backslashes", () => {
  assert.equal(quoteLiteral("SCRAM-SHA-256$4096:abc=$def:ghi"), "'SCRAM-SHA-256$4096:abc=$def:ghi'");
  assert.equal(quoteLiteral("it's"), "'it''s'");
  assert.equal(quoteLiteral("a\\b'c"), "E'a\\\\b''c'");
  assert.throws(() => quoteLiteral("a\0"), /NUL/);
});
