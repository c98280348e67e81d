import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../core/errors.js";
import { isMd5Secret, md5Secret } from "./md5.js";
import { saslprepPassword } from "./saslprep.js";
import {
  formatScramVerifier,
  isScramVerifier,
  MAX_SCRAM_ITERATIONS,
  parseScramVerifier,
  scramMatches,
  scramVerifier,
} from "./scram.js";

/** Secrets stored by PostgreSQL 15.18 for `CREATE ROLE ... PASSWORD '<password>'` (read back from pg_authid). */
const FROM_POSTGRES = [
  {
    password: "pencil",
    secret:
      "SCRAM-SHA-256$4096:O8Nqrl7pO2Wlzg2kO04TdA==$rGKLYlyH1Tax+obO/xokspmHbhqnkl/m87baE6wg8cY=:/v8WXUxXLiLlxTJHPawSFslsRGU7n1pWuWjSgbCUzmc=",
  },
  // Soft hyphen (mapped to nothing) and ROMAN NUMERAL NINE (NFKC: "IX"): SASLprep changes the bytes.
  {
    password: "I\u00adX\u2168",
    secret:
      "SCRAM-SHA-256$4096:XCbGBc0RsxwKKhO0x5AzBw==$pnqXN2gXUzUL9FkVn0803+qOfQNpQ+51wFafCR6QNeo=:HOTX1dB+ZjzBd0sCElJkw/fRiD2XjvmnLTbBndeGijU=",
  },
  // Non-ASCII with a control character: SASLprep prohibits it, so PostgreSQL hashes the raw bytes.
  {
    password: "p\u00e4ss\u0007",
    secret:
      "SCRAM-SHA-256$4096:rGo/AG30t+ED2GBVQdoKGw==$X5KD7tDoXc4ScqAUndCFpS4aIid8w5O+a8tj+HwUSug=:WFmvqwA+pnZKpGQfpJXRPkfGgOF3LUgUFSXKaqh522Q=",
  },
];

test("verifiers are byte for byte what PostgreSQL stores for the same salt and iterations", () => {
  for (const { password, secret } of FROM_POSTGRES) {
    const stored = parseScramVerifier(secret);
    assert.ok(stored, secret);
    assert.equal(
      scramVerifier(password, { salt: stored.salt, iterations: stored.iterations }),
      secret,
      JSON.stringify(password),
    );
    assert.ok(scramMatches(password, stored));
    assert.equal(formatScramVerifier(stored), secret);
  }
});

test("a wrong password, or one SASLprep would have changed, does not match", () => {
  const [pencil, ninth] = FROM_POSTGRES.map(({ secret }) => parseScramVerifier(secret)!);
  assert.equal(scramMatches("Pencil", pencil!), false);
  assert.equal(scramMatches("pencil ", pencil!), false);
  // "IXIX" is what SASLprep makes of the second password, so it matches; the unmapped text with a plain "IX" does not.
  assert.equal(scramMatches("IXIX", ninth!), true);
  assert.equal(scramMatches("I\u00adXIX\u00ad", ninth!), true);
  assert.equal(scramMatches("I-XIX", ninth!), false);
});

test("fresh verifiers: 16-byte random salt, 4096 iterations by default, or as asked", () => {
  const a = parseScramVerifier(scramVerifier("secret"))!;
  const b = parseScramVerifier(scramVerifier("secret"))!;
  assert.equal(a.iterations, 4096);
  assert.equal(a.salt.length, 16);
  assert.notDeepEqual(a.salt, b.salt);
  assert.equal(parseScramVerifier(scramVerifier("secret", { iterations: 10_000 }))!.iterations, 10_000);
});

test("only well-formed SCRAM secrets parse", () => {
  assert.equal(isScramVerifier(FROM_POSTGRES[0]!.secret), true);
  for (const text of [
    "",
    "pencil",
    "md5caeea019c541fd5df3e8c7816b511d67",
    "SCRAM-SHA-256$0:AAAA$AAAA:AAAA",
    "SCRAM-SHA-256$4096:O8Nqrl7pO2Wlzg2kO04TdA==$AAAA:AAAA",
    "SCRAM-SHA-1$4096:O8Nqrl7pO2Wlzg2kO04TdA==$rGKLYlyH1Tax+obO/xokspmHbhqnkl/m87baE6wg8cY=:/v8WXUxXLiLlxTJHPawSFslsRGU7n1pWuWjSgbCUzmc=",
  ]) {
    assert.equal(isScramVerifier(text), false, text);
  }
});

test("md5 secrets are md5(password || role name), as PostgreSQL 15 stored one for role v3", () => {
  assert.equal(md5Secret("pencil", "v3"), "md5caeea019c541fd5df3e8c7816b511d67");
  assert.equal(isMd5Secret("md5caeea019c541fd5df3e8c7816b511d67"), true);
  assert.equal(isMd5Secret("md5CAEEA019"), false);
});

test("SASLprep: ASCII untouched (control characters too), non-ASCII spaces mapped, NFKC applied", () => {
  assert.equal(saslprepPassword("a\u0007b c"), "a\u0007b c");
  assert.equal(saslprepPassword("a\u00a0b"), "a b");
  assert.equal(saslprepPassword("\u2168"), "IX");
  assert.equal(saslprepPassword("p\u00e4ss\u0007"), "p\u00e4ss\u0007", "prohibited: left as is, as PostgreSQL does");
});

test("scramVerifier refuses a count that is not a whole number from 1 to 2147483647 with bad-iterations (exit 2), not a RangeError", () => {
  for (const iterations of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_SCRAM_ITERATIONS + 1]) {
    assert.throws(
      () => scramVerifier("pencil", { iterations }),
      (error: unknown) => error instanceof PgwardenError && error.code === "bad-iterations" && error.exitCode === 2,
      String(iterations),
    );
  }
});

test("scramVerifier still makes a verifier of 1 iteration (password hash allows it, and warns)", () => {
  const verifier = scramVerifier("pencil", { iterations: 1, salt: Buffer.alloc(16, 1) });
  assert.equal(parseScramVerifier(verifier)?.iterations, 1);
  assert.ok(scramMatches("pencil", parseScramVerifier(verifier)!));
});
