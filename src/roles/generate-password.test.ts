import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { test } from "node:test";

import { PgwardenError } from "../core/errors.js";
import { DEFAULT_GENERATED_LENGTH, generatePassword, PASSWORD_ALPHABET } from "./generate-password.js";
import { passwordViolations } from "./password-policy.js";

test("generated passwords: default length, alphabet only, every class, the policy passes, alphanumeric ends", () => {
  const seen = new Set<string>();
  for (let run = 0; run < 200; run++) {
    const password = generatePassword({ roleName: "dbuser_app" });
    assert.equal(password.length, DEFAULT_GENERATED_LENGTH);
    assert.ok(
      [...password].every((char) => PASSWORD_ALPHABET.includes(char)),
      password,
    );
    assert.match(password, /[a-z]/);
    assert.match(password, /[A-Z]/);
    assert.match(password, /[0-9]/);
    assert.match(password, /[-._~]/);
    assert.match(password, /^[A-Za-z0-9].*[A-Za-z0-9]$/);
    assert.deepEqual(
      passwordViolations(password, "dbuser_app", { requiredClasses: ["lower", "upper", "digit", "symbol"] }),
      [],
    );
    seen.add(password);
  }
  assert.equal(seen.size, 200, "no repeats");
});

test("nothing in the alphabet needs quoting in a URL, a keyword=value string, .pgpass or YAML", () => {
  assert.equal(encodeURIComponent(PASSWORD_ALPHABET.replace("~", "")), PASSWORD_ALPHABET.replace("~", ""));
  assert.doesNotMatch(PASSWORD_ALPHABET, /[\s:\\'"#@%&*!|>{}[\],?`$]/);
  assert.equal(new Set(PASSWORD_ALPHABET).size, 66);
});

test("the length is honoured; under 12 is refused as a usage error", () => {
  assert.equal(generatePassword({ length: 12 }).length, 12);
  assert.equal(generatePassword({ length: 100 }).length, 100);
  for (const length of [0, 8, 11, 1.5, 2000]) {
    assert.throws(
      () => generatePassword({ length }),
      (error: unknown) => error instanceof PgwardenError && error.exitCode === 2,
      String(length),
    );
  }
});

test("the random source decides every character, and draws failing the policy are redrawn", () => {
  // A source that first yields only 'A's (no lower case, digit or symbol), then real randomness.
  let calls = 0;
  const password = generatePassword({ length: 12, randomBelow: (max) => (calls++ < 12 ? 0 : randomInt(max)) });
  assert.ok(calls > 12, "the first draw was refused");
  assert.notEqual(password, "A".repeat(12));
  assert.deepEqual(passwordViolations(password, "", { requiredClasses: ["lower", "upper", "digit", "symbol"] }), []);
});
