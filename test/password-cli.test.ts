/*
 * `pgwarden password hash` and `password generate` through the real CLI in a child
 * process: the password goes in on stdin only, and what comes out verifies as SCRAM
 * (and md5) the way PostgreSQL checks it.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, before, test } from "node:test";

import { PASSWORD_ALPHABET } from "../src/roles/generate-password.js";
import { parseScramVerifier, scramMatches } from "../src/roles/scram.js";
import { type CliResult, pgwarden, tempDir } from "./support/cli.js";

let cwd: { dir: string; cleanup: () => Promise<void> };
before(async () => {
  cwd = await tempDir("pgwarden-password-cli-");
});
after(async () => {
  await cwd.cleanup();
});

/** The CLI in the test's directory with `input` on a pipe as stdin. */
const pgwardenWithStdin = (args: readonly string[], input: string | Buffer): Promise<CliResult> =>
  pgwarden(args, { cwd: cwd.dir, input });

const verifierOf = (result: CliResult) => {
  assert.equal(result.code, 0, result.stderr);
  const verifier = parseScramVerifier(result.stdout.trim());
  assert.ok(verifier, result.stdout);
  return verifier;
};

test("hash: the password from stdin, one trailing newline removed, gives a SCRAM verifier that verifies it", async () => {
  const result = await pgwardenWithStdin(["password", "hash"], "correct-horse-42\n");
  const verifier = verifierOf(result);
  assert.equal(verifier.iterations, 4096);
  assert.equal(verifier.salt.length, 16);
  assert.ok(scramMatches("correct-horse-42", verifier));
  assert.ok(!scramMatches("correct-horse-42\n", verifier));
  assert.equal(result.stderr, "", "a sound password draws no warning");
  assert.ok(!result.stdout.includes("correct-horse"));
});

test("hash: only one newline is removed, CRLF counts as one, no newline at all is fine", async () => {
  const doubled = await pgwardenWithStdin(["password", "hash"], "double-newline-1\n\n");
  assert.equal(doubled.code, 2, "the second newline is part of the input, so it is two lines");
  const twoLines = await pgwardenWithStdin(["password", "hash"], "first-line-1\nsecond-line-2\n");
  assert.equal(twoLines.code, 2);
  assert.match(twoLines.stderr, /^pgwarden: error: stdin holds more than one line/);
  assert.equal(twoLines.stdout, "");
  assert.ok(
    scramMatches("crlf-ended-1", verifierOf(await pgwardenWithStdin(["password", "hash"], "crlf-ended-1\r\n"))),
  );
  assert.ok(scramMatches("no-newline-1", verifierOf(await pgwardenWithStdin(["password", "hash"], "no-newline-1"))));
  assert.ok(
    scramMatches(" spaced out 1 ", verifierOf(await pgwardenWithStdin(["password", "hash"], " spaced out 1 \n"))),
    "blanks are part of the password",
  );
});

test("hash: a non-ASCII password is SASLprep'd as PostgreSQL does", async () => {
  const verifier = verifierOf(await pgwardenWithStdin(["password", "hash"], "I\u00adX\u2168-p\u00e4ss\n"));
  assert.ok(scramMatches("IXIX-p\u00e4ss", verifier), "soft hyphen dropped, U+2168 is IX");
  assert.ok(scramMatches("I\u00adX\u2168-p\u00e4ss", verifier));
});

test("hash: --scram-iterations, --format json, and bad values refused", async () => {
  assert.equal(
    verifierOf(await pgwardenWithStdin(["password", "hash", "--scram-iterations", "10000"], "iterated-pass-1\n"))
      .iterations,
    10000,
  );
  const json = await pgwardenWithStdin(
    ["password", "hash", "--user", "dbuser_app", "--format", "json"],
    "iterated-pass-1\n",
  );
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { method: string; role: string; verifier: string; warnings: string[] };
  assert.equal(doc.method, "scram-sha-256");
  assert.equal(doc.role, "dbuser_app");
  assert.ok(scramMatches("iterated-pass-1", parseScramVerifier(doc.verifier)!));
  assert.deepEqual(doc.warnings, []);
  for (const bad of ["0", "-5", "abc", "1e4", "99999999999"]) {
    const result = await pgwardenWithStdin(["password", "hash", "--scram-iterations", bad], "iterated-pass-1\n");
    assert.equal(result.code, 2, bad);
    assert.match(result.stderr, /^pgwarden: error: --scram-iterations must be/, bad);
    assert.equal(result.stdout, "");
  }
});

test("hash --method md5 needs --user (the salt) and gives what PostgreSQL stores", async () => {
  const result = await pgwardenWithStdin(["password", "hash", "--method", "md5", "--user", "v3"], "pencil\n");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout.trim(),
    "md5caeea019c541fd5df3e8c7816b511d67",
    "PostgreSQL 15 stored this for role v3, password pencil",
  );
  assert.match(result.stderr, /md5 secrets are password-equivalent/);
  const noUser = await pgwardenWithStdin(["password", "hash", "--method", "md5"], "pencil\n");
  assert.equal(noUser.code, 2);
  assert.equal(noUser.stderr.trim().split("\n").length, 1);
  assert.match(noUser.stderr, /--method md5 needs --user/);
  assert.equal(noUser.stdout, "");
});

test("hash with --user warns about policy problems on stderr, without quoting the password", async () => {
  const result = await pgwardenWithStdin(["password", "hash", "--user", "dbuser_app"], "dbuser_app2026\n");
  verifierOf(result);
  assert.match(result.stderr, /warning: the password contains the role name/);
  assert.ok(!result.stderr.includes("dbuser_app2026"));
  const vendor = await pgwardenWithStdin(["password", "hash", "--user", "dbuser_dba"], "DBUser.DBA\n");
  assert.match(vendor.stderr, /denylist of known or default passwords/);
  const short = await pgwardenWithStdin(["password", "hash"], "abc\n");
  assert.match(short.stderr, /shorter than 8 characters/);
  assert.match(short.stderr, /letters and non-letters/);
});

test("hash refuses empty input, invalid UTF-8 and a password on the command line", async () => {
  for (const [input, message] of [
    ["", /no password on stdin/],
    ["\n", /no password on stdin/],
    [Buffer.from([0x70, 0xff, 0x0a]), /not valid UTF-8/],
  ] as const) {
    const result = await pgwardenWithStdin(["password", "hash"], input);
    assert.equal(result.code, 2, String(input));
    assert.match(result.stderr, message);
    assert.equal(result.stdout, "");
  }
  const argv = await pgwardenWithStdin(["password", "hash", "hunter2-on-argv"], "");
  assert.equal(argv.code, 2);
  assert.equal(argv.stdout, "");
  // Refused because hash takes no argument at all, and the refusal does not repeat it.
  assert.match(argv.stderr, /too many arguments for 'hash'/);
  assert.ok(!argv.stderr.includes("hunter2-on-argv"));
});

test("generate: 24 characters from the safe alphabet by default, different each time; --length; under 12 refused", async () => {
  const seen = new Set<string>();
  for (let run = 0; run < 3; run++) {
    const result = await pgwardenWithStdin(["password", "generate"], "");
    assert.equal(result.code, 0, result.stderr);
    const password = result.stdout.replace(/\n$/, "");
    assert.equal(password.length, 24);
    assert.ok(
      [...password].every((char) => PASSWORD_ALPHABET.includes(char)),
      password,
    );
    assert.match(password, /[a-z]/);
    assert.match(password, /[A-Z]/);
    assert.match(password, /[0-9]/);
    assert.match(password, /[-._~]/);
    seen.add(password);
  }
  assert.equal(seen.size, 3);
  const long = await pgwardenWithStdin(["password", "generate", "--length", "40", "--format", "json"], "");
  assert.equal((JSON.parse(long.stdout) as { password: string }).password.length, 40);
  for (const bad of ["11", "0", "abc", "-3"]) {
    const result = await pgwardenWithStdin(["password", "generate", "--length", bad], "");
    assert.equal(result.code, 2, bad);
    assert.equal(result.stderr.trim().split("\n").length <= 2, true);
    assert.match(result.stderr, /^pgwarden: error:/);
    assert.equal(result.stdout, "");
  }
});

test("a generated password piped into hash verifies; nothing is written to the working directory", async () => {
  const generated = await pgwardenWithStdin(["password", "generate"], "");
  const password = generated.stdout.replace(/\n$/, "");
  assert.ok(
    scramMatches(
      password,
      verifierOf(await pgwardenWithStdin(["password", "hash", "--user", "dbuser_app"], generated.stdout)),
    ),
  );
  assert.deepEqual(await readdir(cwd.dir), []);
});

test("--help of each verb shows its examples and the exit codes", async () => {
  for (const verb of ["hash", "generate", "audit"]) {
    const help = await pgwardenWithStdin(["password", verb, "--help"], "");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /EXAMPLES\n {2}\$ (PGPASSWORD=\.\.\. )?pgwarden password /);
    assert.match(help.stdout, /EXIT CODES/);
  }
});
