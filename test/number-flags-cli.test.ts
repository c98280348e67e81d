/*
 * Every flag that takes a number (or a duration) reads it the one way src/cli/number-flags.ts
 * does: a value such as `0x1538`, `abc` or nothing at all is refused as argv is read, with exit 2,
 * one line on stderr in the same words for every command, nothing on stdout, and nothing
 * written under the test's directory.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, snapshot, tempDir } from "./support/cli.js";

const at = { dir: "", pki: "", csr: "", inventory: "", hbaFile: "", out: "" };

/** The whole-number refusal, as every integer flag words it. */
const wholeNumber = (flag: string, range: string, what?: string) => (text: string) =>
  `pgwarden: error: ${flag} must be ${what === undefined ? "" : `${what}, `}a whole number from ${range}, not ${JSON.stringify(text)}\n`;
const DAYS = wholeNumber("--days", "1 to 36500");
const PORT = wholeNumber("--port", "1 to 65535", "a TCP port");
const PG_VERSION = wholeNumber("--pg-version", "10 to 999", "a PostgreSQL major version");
const ROLE_ITERATIONS = wholeNumber("--scram-iterations", "4096 to 2147483647");
const MIN_LENGTH = wholeNumber("--min-length", "8 to 1024");
const EXPIRING = (text: string) =>
  `pgwarden: error: --expiring must be a duration, a whole number then h, d or w (12h, 30d, 2w), not ${JSON.stringify(text)}\n`;

interface Row {
  readonly name: string;
  /** The command's argv with `value` given to the flag under test. */
  readonly args: (value: string) => string[];
  readonly expected: (value: string) => string;
  /** Written to stdin (password hash reads the password there). */
  readonly input?: string;
}

const role = (verb: string, flag: string): ((value: string) => string[]) => {
  return (value) => [
    "role",
    verb,
    "--inventory",
    at.inventory,
    "--cluster",
    "pg-test",
    "--conn",
    "postgresql://postgres@127.0.0.1:1/postgres",
    flag,
    value,
  ];
};

const ROWS: readonly Row[] = [
  {
    name: "ca init --days",
    args: (v) => ["ca", "init", "--pki", join(at.dir, "new-pki"), "--days", v],
    expected: DAYS,
  },
  {
    name: "cert issue --days",
    args: (v) => ["cert", "issue", "--pki", at.pki, "--profile", "client", "--cn", "u2", "--days", v],
    expected: DAYS,
  },
  {
    name: "cert issue --inventory --days",
    args: (v) => ["cert", "issue", "--pki", at.pki, "--inventory", at.inventory, "--days", v],
    expected: DAYS,
  },
  {
    name: "cert sign --days",
    args: (v) => ["cert", "sign", at.csr, "--pki", at.pki, "--profile", "client", "--days", v],
    expected: DAYS,
  },
  {
    name: "cert export --port",
    args: (v) => ["cert", "export", "--pki", at.pki, "--cn", "u1", "--out", at.out, "--port", v],
    expected: PORT,
  },
  { name: "cert list --expiring", args: (v) => ["cert", "list", "--pki", at.pki, "--expiring", v], expected: EXPIRING },
  {
    name: "sandbox up --port",
    args: (v) => ["sandbox", "up", "--pki", join(at.dir, "sandbox-pki"), "--dir", join(at.dir, "sandbox"), "--port", v],
    expected: PORT,
  },
  { name: "hba lint --pg-version", args: (v) => ["hba", "lint", at.hbaFile, "--pg-version", v], expected: PG_VERSION },
  {
    name: "hba explain --pg-version",
    args: (v) => ["hba", "explain", at.hbaFile, "--user", "alice", "--addr", "10.1.2.3", "--pg-version", v],
    expected: PG_VERSION,
  },
  { name: "role plan --scram-iterations", args: role("plan", "--scram-iterations"), expected: ROLE_ITERATIONS },
  { name: "role plan --min-length", args: role("plan", "--min-length"), expected: MIN_LENGTH },
  { name: "role apply --scram-iterations", args: role("apply", "--scram-iterations"), expected: ROLE_ITERATIONS },
  { name: "role apply --min-length", args: role("apply", "--min-length"), expected: MIN_LENGTH },
  {
    name: "password generate --length",
    args: (v) => ["password", "generate", "--length", v],
    expected: wholeNumber("--length", "12 to 1024"),
  },
  {
    name: "password hash --scram-iterations",
    args: (v) => ["password", "hash", "--scram-iterations", v],
    expected: wholeNumber("--scram-iterations", "1 to 2147483647"),
    input: "iterated-pass-1\n",
  },
];

describe("numeric flags: one syntax, one refusal, nothing written", () => {
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ dir: at.dir, cleanup } = await tempDir("pgwarden-number-flags-"));
    at.pki = join(at.dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", at.pki])).code, 0);
    const issued = await pgwarden(["cert", "issue", "--pki", at.pki, "--profile", "client", "--cn", "u1"]);
    assert.equal(issued.code, 0, issued.stderr);
    at.csr = join(at.dir, "app.csr");
    execFileSync(
      "openssl",
      [
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(at.dir, "app.key"),
      ].concat(["-subj", "/CN=app_user", "-out", at.csr]),
      { stdio: "pipe" },
    );
    at.inventory = join(at.dir, "pigsty.yml");
    await writeFile(
      at.inventory,
      "all:\n  children:\n    pg-test:\n      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary } }\n      vars: { pg_cluster: pg-test }\n",
    );
    at.hbaFile = join(at.dir, "pg_hba.conf");
    await writeFile(at.hbaFile, "local all all peer\nhostssl all all 10.0.0.0/8 scram-sha-256\n");
    at.out = join(at.dir, "bundle");
    await mkdir(at.out, { mode: 0o700 });
  });
  after(() => cleanup());

  for (const row of ROWS) {
    for (const value of ["0x1538", "abc", ""]) {
      test(`${row.name} ${JSON.stringify(value)}: exit 2, the one-line refusal, nothing written`, async () => {
        const before = await snapshot(at.dir);
        const result = await pgwarden(row.args(value), row.input === undefined ? {} : { input: row.input });
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stderr, row.expected(value));
        assert.equal(result.stdout, "");
        assert.deepEqual(await snapshot(at.dir), before);
      });
    }
  }

  test("cert export --port 0x1538 is refused, not read as 5432 (it was, while sandbox up refused it)", async () => {
    const before = await snapshot(at.dir);
    const result = await pgwarden(["cert", "export", "--pki", at.pki, "--cn", "u1", "--out", at.out, "--port=0x1538"]);
    assert.equal(result.code, 2, result.stdout);
    assert.doesNotMatch(result.stdout, /port=5432/);
    assert.deepEqual(await snapshot(at.dir), before, "no bundle written");
  });

  test("with --format json the refusal is one JSON error carrying the flag's code", async () => {
    const result = await pgwarden(
      ["cert", "export", "--pki", at.pki, "--cn", "u1", "--out", at.out].concat(["--port", "5e3", "--format", "json"]),
    );
    assert.equal(result.code, 2);
    assert.deepEqual(JSON.parse(result.stderr), {
      error: {
        code: "bad-port",
        message: '--port must be a TCP port, a whole number from 1 to 65535, not "5e3"',
        exitCode: 2,
      },
    });
  });

  test("a port in plain digits still reaches the connection strings as a number", async () => {
    const result = await pgwarden(["cert", "export", "--pki", at.pki, "--cn", "u1", "--out", at.out, "--port", "6543"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^libpq: +host=localhost port=6543 /m);
    assert.match(result.stdout, /postgresql:\/\/localhost:6543\/postgres/);
  });
});
