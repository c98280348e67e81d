import assert from "node:assert/strict";
import { test } from "node:test";

import { md5Secret } from "../../md5.js";
import { saslprepPassword } from "../../saslprep.js";
import { parseScramVerifier, type ScramVerifier, scramVerifier } from "../../scram.js";
import type { Candidate } from "../candidates/candidate.js";
import { crackMd5 } from "./crack-md5.js";
import { crackScram } from "./crack-scram.js";
import { packCandidates } from "./pack-candidates.js";
import { PackedCandidatesReader } from "./packed-candidates.js";

/** Low iterations keep the unit tests quick; the search is the same at any count. */
const verifier = (password: string, iterations = 64): ScramVerifier =>
  parseScramVerifier(scramVerifier(password, { iterations }))!;
const guesses = (texts: readonly string[], origin: Candidate["origin"] = "wordlist"): Candidate[] =>
  texts.map((text) => ({ text, origin }));
const filler = (count: number) =>
  guesses(
    Array.from({ length: count }, (_, i) => `filler-${i}`),
    "common",
  );

/** Soft hyphen (mapped to nothing) and ROMAN NUMERAL NINE (NFKC: "IX"): SASLprep makes it "IXIX". */
const NON_ASCII = "I\u00adX\u2168";

test("SASLprep'd guesses are packed as UTF-8 and read back in place", () => {
  const reader = new PackedCandidatesReader(packCandidates(["pencil", saslprepPassword(NON_ASCII), "", "p\u00e4ss"]));
  assert.equal(reader.bytes(0).toString(), "pencil");
  assert.equal(reader.bytes(1).toString(), "IXIX");
  assert.equal(reader.bytes(2).length, 0);
  assert.deepEqual([...reader.bytes(3)], [...Buffer.from("p\u00e4ss")]);
});

for (const workers of [0, 2]) {
  test(`SCRAM, ${workers === 0 ? "on this thread" : "on 2 worker threads"}: planted passwords found, with their origin; others searched to the end`, async () => {
    const shared = [...filler(300), ...guesses(["DBUser.DBA"], "vendor-default"), ...guesses([NON_ASCII, "last-one"])];
    const targets = [
      { verifier: verifier("DBUser.DBA"), own: guesses(["alice", "alice1"], "role-name") },
      { verifier: verifier("bob123"), own: guesses(["bob", "bob123"], "role-name") },
      { verifier: verifier("IXIX"), own: [] },
      { verifier: verifier("not-on-any-list"), own: guesses(["carol"], "role-name") },
      { verifier: verifier("last-one", 4096), own: [] },
    ];
    const progress: [number, number][] = [];
    const outcomes = await crackScram(targets, shared, {
      workers,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.deepEqual(outcomes[0]!.found, { text: "DBUser.DBA", origin: "vendor-default" });
    assert.deepEqual(outcomes[1]!.found, { text: "bob123", origin: "role-name" });
    assert.deepEqual(
      outcomes[2]!.found,
      { text: NON_ASCII, origin: "wordlist" },
      "the guess SASLprep turns into the same bytes",
    );
    assert.equal(outcomes[3]!.found, undefined);
    assert.equal(outcomes[3]!.tested, 1 + shared.length, "an uncracked verifier is tried with every guess");
    assert.deepEqual(outcomes[4]!.found?.text, "last-one");
    assert.ok(outcomes[1]!.tested < 1 + shared.length, "a cracked verifier is dropped from the search");
    const total = progress.at(-1)![1];
    assert.deepEqual(progress.at(-1), [total, total], "progress ends at the total");
    assert.ok(progress.every(([done], index) => index === 0 || done >= progress[index - 1]![0]));
  });
}

test("SCRAM: non-ASCII guesses compare after SASLprep: the look-alike tried first does not match, its own text does", async () => {
  const [stored, ascii] = await crackScram(
    [
      { verifier: verifier(NON_ASCII), own: [] },
      { verifier: verifier("I-XIX"), own: [] },
    ],
    guesses(["I-X\u2168", NON_ASCII]),
    { workers: 0 },
  );
  assert.equal(stored!.found?.text, NON_ASCII, "I-X\u2168 is I-XIX after SASLprep: a soft hyphen is not a hyphen");
  assert.equal(stored!.tested, 2);
  assert.equal(ascii!.found?.text, "I-X\u2168", "U+2168 is IX, so I-X\u2168 is the password I-XIX");
});

test("SCRAM: guesses SASLprep makes equal are tried once", async () => {
  const [outcome] = await crackScram(
    [{ verifier: verifier("nothing"), own: guesses(["IXIX"], "role-name") }],
    guesses(["IXIX", NON_ASCII, "other"]),
    { workers: 0 },
  );
  assert.equal(outcome!.tested, 2, "shared IXIX and its twin count once, and the role's own IXIX is not tried again");
});

test("md5: md5(password || role name) cracked from the guesses, own first; the role name is the salt", () => {
  const secret = md5Secret("qwerty", "legacy");
  const found = crackMd5(secret, "legacy", [
    ...guesses(["legacy1"], "role-name"),
    ...guesses(["123456", "qwerty", "later"], "common"),
  ]);
  assert.deepEqual(found, { found: { text: "qwerty", origin: "common" }, tested: 3 });
  assert.deepEqual(crackMd5(secret, "other", guesses(["qwerty"])), { tested: 1 }, "another role's salt does not match");
  assert.deepEqual(
    crackMd5(md5Secret(NON_ASCII, "u"), "u", guesses(["IXIX", NON_ASCII])).found?.text,
    NON_ASCII,
    "md5 has no SASLprep",
  );
});
