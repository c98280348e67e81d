import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../core/errors.js";
import { type CharacterClass, passwordViolations } from "./password-policy.js";

const ids = (password: string, role = "dbuser_app", policy = {}) =>
  passwordViolations(password, role, policy).map((violation) => violation.id);

test("passwordcheck's rules: length 8, no role name, letters and non-letters", () => {
  assert.deepEqual(ids("Ab1.xyz"), ["too-short"]);
  assert.deepEqual(ids("xdbuser_app1"), ["contains-role-name"]);
  assert.deepEqual(ids("XDBUSER_APP1"), ["contains-role-name"], "case does not hide the role name");
  assert.deepEqual(ids("abcdefghij"), ["letters-and-non-letters"]);
  assert.deepEqual(ids("1234567890"), ["letters-and-non-letters"]);
  assert.deepEqual(ids("correct-horse-42"), []);
});

test("length counts characters, not UTF-16 units or bytes", () => {
  assert.deepEqual(ids("\u{1F512}\u{1F512}\u{1F512}\u{1F512}ab1"), ["too-short"]);
  assert.deepEqual(ids("p\u00e4ssw\u00f6rt-1"), []);
});

test("stricter options: minimum length, character classes, denylist", () => {
  assert.deepEqual(ids("correct-horse-42", "u", { minLength: 20 }), ["too-short"]);
  assert.deepEqual(ids("correct-horse-42", "u", { requiredClasses: ["upper", "digit"] }), ["missing-character-class"]);
  assert.match(
    passwordViolations("correct-horse", "u", { requiredClasses: ["upper", "digit"] })[0]!.message,
    /no upper, no digit/,
  );
  assert.deepEqual(ids("DBUser.DBA", "app", { denylist: new Set(["dbuser.dba"]) }), ["denylisted"]);
});

test("messages never quote the password", () => {
  const violations = passwordViolations("hunter2", "hunter", { denylist: new Set(["hunter2"]) });
  assert.deepEqual(
    violations.map((violation) => violation.id),
    ["too-short", "contains-role-name", "denylisted"],
  );
  for (const violation of violations) assert.doesNotMatch(violation.message, /hunter2/);
});

test("a policy from a library caller is held to the flags' bounds: a minimum length NaN, 0 or 7 would turn the check off or weaken it", () => {
  const refused = (code: string) => (error: unknown) =>
    error instanceof PgwardenError && error.code === code && error.exitCode === 2;
  for (const minLength of [Number.NaN, 0, -1, 7, 1.5, 1025, Number.POSITIVE_INFINITY])
    assert.throws(() => passwordViolations("a1", "r", { minLength }), refused("bad-min-length"), String(minLength));
  assert.throws(
    () => passwordViolations("a1", "r", { requiredClasses: ["bogus" as CharacterClass] }),
    refused("bad-flag"),
  );
  assert.deepEqual(
    passwordViolations("a1", "r", { minLength: 8 }).map((violation) => violation.id),
    ["too-short"],
  );
  assert.deepEqual(
    passwordViolations("Correct-Horse-42", "dbuser_app", { minLength: 1024 }).map((each) => each.id),
    ["too-short"],
  );
});
