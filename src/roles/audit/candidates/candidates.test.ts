import assert from "node:assert/strict";
import { test } from "node:test";

import { COMMON_PASSWORDS } from "./common-passwords.js";
import { knownPasswordDenylist } from "./known-password-denylist.js";
import { roleNameVariants } from "./role-name-variants.js";
import { sharedCandidates } from "./shared-candidates.js";
import { VENDOR_DEFAULT_PASSWORDS } from "./vendor-defaults.js";
import { parseWordlist } from "./wordlist.js";

test("role-name variants: as is, cases, reversed, doubled, last word, usual endings and the year", () => {
  const variants = roleNameVariants("dbuser_meta", 2026);
  for (const expected of [
    "dbuser_meta",
    "Dbuser_meta",
    "DBUSER_META",
    "atem_resubd",
    "dbuser_metadbuser_meta",
    "dbuser_meta1",
    "dbuser_meta123",
    "dbuser_meta!",
    "dbuser_meta2026",
    "dbuser_meta2025",
    "Dbuser_meta123",
    "meta",
    "Meta",
    "meta123",
    "Meta2026!",
    "metameta",
    "Meta.Meta",
  ]) {
    assert.ok(variants.includes(expected), expected);
  }
  assert.equal(new Set(variants).size, variants.length, "no duplicates");
  assert.ok(variants.every((variant) => variant.length > 0));
  assert.ok(!roleNameVariants("dbuser_meta", 2030).includes("dbuser_meta2026"), "the year comes from the clock given");
  assert.ok(roleNameVariants("ÄRZTE", 2026).includes("Ärzte1"), "case changes are Unicode-aware");
});

test("wordlist: one password per line, CRLF and a BOM handled, blanks kept inside a line, empty lines skipped", () => {
  assert.deepEqual(parseWordlist("\ufeffalpha\r\n beta \n\n\u00e4pfel\u2168\ngamma"), [
    "alpha",
    " beta ",
    "\u00e4pfel\u2168",
    "gamma",
  ]);
  assert.deepEqual(parseWordlist(""), []);
  assert.deepEqual(parseWordlist("#not-a-comment\n"), ["#not-a-comment"]);
});

test("shared guesses: vendor defaults first, then common passwords, then the wordlist, each once with its first origin", () => {
  const shared = sharedCandidates(["my-own-guess", "pigsty", "123456"]);
  const texts = shared.map((candidate) => candidate.text);
  for (const vendor of [
    "DBUser.DBA",
    "DBUser.Monitor",
    "DBUser.Replicator",
    "Patroni.API",
    "pigsty",
    "postgres",
    "minioadmin",
    "Pleas3-ChangeThisPwd",
    "Make.3ure-Compl1ance",
  ]) {
    assert.equal(shared.find((candidate) => candidate.text === vendor)?.origin, "vendor-default", vendor);
  }
  assert.equal(shared.find((candidate) => candidate.text === "123456")?.origin, "common");
  assert.deepEqual(shared.at(-1), { text: "my-own-guess", origin: "wordlist" });
  assert.equal(new Set(texts).size, texts.length);
  assert.equal(texts.indexOf("DBUser.DBA"), 0);
  assert.ok(texts.indexOf("123456") < texts.indexOf("my-own-guess"));
});

test("the built-in lists: a few hundred common passwords, no duplicates, no empty entries; the denylist holds both lists", () => {
  assert.ok(COMMON_PASSWORDS.length >= 300, String(COMMON_PASSWORDS.length));
  assert.equal(new Set(COMMON_PASSWORDS).size, COMMON_PASSWORDS.length);
  assert.ok(
    [...COMMON_PASSWORDS, ...VENDOR_DEFAULT_PASSWORDS].every(
      (password) => (password.length > 0 && password.trim() === password) || password === "open sesame",
    ),
  );
  const denylist = knownPasswordDenylist();
  assert.ok(denylist.has("dbuser.dba") && denylist.has("p@ssw0rd") && denylist.has("qwerty"));
});
