/*
 * `pgwarden password audit` against a real PostgreSQL started here: roles are planted with
 * weak, legacy, expired and strong passwords (every one sent as a verifier computed here,
 * never as plaintext, and every role name quoted as an identifier), and the audit must
 * find exactly what was planted, keep found passwords out of its output unless --show,
 * and answer through its exit code.
 */
import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import pg from "pg";

import { quoteIdentifier, quoteLiteral } from "../src/core/identifier.js";
import { generatePassword } from "../src/roles/generate-password.js";
import { md5Secret } from "../src/roles/md5.js";
import { saslprepPassword } from "../src/roles/saslprep.js";
import { scramVerifier } from "../src/roles/scram.js";
import { type CliResult, pgwarden, tempDir } from "./support/cli.js";
import { type Cluster, startCluster } from "./support/pg-cluster.js";

/** Soft hyphen (SASLprep maps it to nothing) and ROMAN NUMERAL NINE (NFKC: "IX"): the bytes PBKDF2 sees differ from the text. */
const NON_ASCII_PASSWORD = "Gr\u00fc\u00adne-\u2168-Wiese";
const FAR_FUTURE = "2100-01-01T00:00:00Z";

interface Planted {
  readonly name: string;
  /** The plaintext: only ever turned into a verifier here, never sent. */
  readonly password?: string;
  readonly secret?: "scram" | "md5" | "none";
  readonly iterations?: number;
  readonly validUntil?: string | null;
  readonly login?: boolean;
  readonly superuser?: boolean;
  /** `id` of each finding the audit must report for this role. */
  readonly expect: readonly string[];
  /** Is the password one the audit should find (and hide without --show)? */
  readonly weak?: boolean;
}

const STRONG = () => generatePassword({ length: 24 });
const WORDLIST_ENTRY = "Tr4mpoline-Sunset";

const PLANTED: readonly Planted[] = [
  { name: "app_name", password: "app_name123", expect: ["weak-password"], weak: true },
  { name: "dbuser_dba", password: "DBUser.DBA", superuser: true, expect: ["weak-password"], weak: true },
  { name: "common_user", password: "iloveyou", expect: ["weak-password"], weak: true },
  { name: "listed_user", password: WORDLIST_ENTRY, expect: ["weak-password"], weak: true },
  { name: "unicode_user", password: NON_ASCII_PASSWORD, expect: ["weak-password"], weak: true },
  { name: "legacy_weak", password: "password1", secret: "md5", expect: ["weak-password", "md5-secret"], weak: true },
  { name: "legacy_strong", password: STRONG(), secret: "md5", expect: ["md5-secret"] },
  { name: "few_iterations", password: STRONG(), iterations: 1000, expect: ["low-iterations"] },
  { name: "cert_only", secret: "none", expect: ["no-password"] },
  { name: "expired_user", password: STRONG(), validUntil: "2020-01-01T00:00:00Z", expect: ["valid-until-past"] },
  { name: "forever_user", password: STRONG(), validUntil: null, expect: ["no-valid-until"] },
  { name: "infinite_user", password: STRONG(), validUntil: "infinity", expect: ["no-valid-until"] },
  { name: "never_valid", password: STRONG(), validUntil: "-infinity", expect: ["valid-until-past"] },
  { name: "strong_user", password: STRONG(), expect: [] },
  { name: 'we"ird\\role', password: STRONG(), expect: [] },
  { name: "app_group", secret: "none", login: false, validUntil: null, expect: [] },
];

let cluster: Cluster;
let superuserPassword: string;
let work: { dir: string; cleanup: () => Promise<void> };
let wordlist: string;
let url: string;

function createRoleSql(role: Planted): string {
  const attributes = [role.login === false ? "NOLOGIN" : "LOGIN", role.superuser ? "SUPERUSER" : "NOSUPERUSER"];
  const password = role.password;
  if (password !== undefined) {
    const secret =
      role.secret === "md5"
        ? md5Secret(password, role.name)
        : scramVerifier(password, { iterations: role.iterations ?? 4096 });
    attributes.push(`PASSWORD ${quoteLiteral(secret)}`);
  }
  const validUntil = role.validUntil === undefined ? FAR_FUTURE : role.validUntil;
  if (validUntil !== null) attributes.push(`VALID UNTIL ${quoteLiteral(validUntil)}`);
  return `CREATE ROLE ${quoteIdentifier(role.name)} ${attributes.join(" ")};`;
}

before(async () => {
  cluster = await startCluster({
    hba: ["host all all 127.0.0.1/32 scram-sha-256"],
    settings: { password_encryption: "scram-sha-256" },
  });
  superuserPassword = STRONG();
  await cluster.sql(
    [
      `ALTER ROLE ${quoteIdentifier(cluster.superuser)} PASSWORD ${quoteLiteral(scramVerifier(superuserPassword))} VALID UNTIL ${quoteLiteral(FAR_FUTURE)};`,
      ...PLANTED.map(createRoleSql),
    ].join("\n"),
  );
  work = await tempDir("pgwarden-password-audit-");
  wordlist = join(work.dir, "wordlist.txt");
  await writeFile(wordlist, `first-entry\r\n${WORDLIST_ENTRY}\r\n${NON_ASCII_PASSWORD}\r\n`);
  url = `postgresql://${encodeURIComponent(cluster.superuser)}@${cluster.host}:${cluster.port}/postgres`;
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

interface AuditJson {
  failOn: string;
  rolesAudited: number;
  findings: {
    id: string;
    severity: string;
    role: string;
    message: string;
    why: string;
    fix: string;
    password?: string;
  }[];
}

/** The audit as a user runs it: a child process, the password in PGPASSWORD, a working directory of its own. */
async function audit(
  args: readonly string[],
  password = superuserPassword,
  user = cluster.superuser,
): Promise<CliResult> {
  const { dir, cleanup } = await tempDir("pgwarden-audit-cwd-");
  try {
    const conn = `postgresql://${encodeURIComponent(user)}@${cluster.host}:${cluster.port}/postgres`;
    const result = await pgwarden(["password", "audit", "--conn", conn, ...args], {
      env: { PGPASSWORD: password },
      cwd: dir,
    });
    assert.deepEqual(await readdir(dir), [], "the audit writes no file");
    return result;
  } finally {
    await cleanup();
  }
}

/** Every form a planted weak password could be printed in. */
const weakPasswords = PLANTED.filter((role) => role.weak).flatMap((role) => [
  role.password as string,
  saslprepPassword(role.password as string),
]);

test("planted verifiers are what the server checks: the non-ASCII password logs in over SCRAM, a look-alike does not", async () => {
  /** undefined when `user` logs in, else why not. */
  const login = async (user: string, password: string): Promise<Error | undefined> => {
    const client = new pg.Client({
      host: cluster.host,
      port: cluster.port,
      user,
      password,
      database: "postgres",
      connectionTimeoutMillis: 10_000,
    });
    try {
      await client.connect();
      return undefined;
    } catch (error) {
      return error as Error;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const assertLogin = async (user: string, password: string, why?: string) =>
    assert.equal((await login(user, password))?.message, undefined, why);
  const assertRefused = async (user: string, password: string) => {
    const error = await login(user, password);
    assert.ok(error instanceof Error, `${user} must not log in with that password`);
    assert.match(error.message, /password authentication failed/);
  };
  const weird = PLANTED.find((role) => role.name === 'we"ird\\role') as Planted;
  await assertLogin("unicode_user", NON_ASCII_PASSWORD);
  await assertLogin("unicode_user", "Gr\u00fcne-IX-Wiese", "the server SASLpreps too: the same bytes");
  await assertRefused("unicode_user", "Gr\u00fc-ne-IX-Wiese");
  await assertLogin(weird.name, weird.password as string);
  await assertRefused(weird.name, "wrong-password-1");
  const names = await cluster.sql("SELECT rolname FROM pg_roles WHERE rolname = 'we\"ird\\role'");
  assert.equal(names, 'we"ird\\role', "the quoted name is the role's exact name");
});

test("the audit finds exactly the planted problems, and nothing else", async () => {
  const result = await audit(["--wordlist", wordlist, "--format", "json"]);
  assert.equal(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as AuditJson;
  const found = report.findings.map((finding) => `${finding.role}:${finding.id}`).sort();
  const expected = PLANTED.flatMap((role) => role.expect.map((id) => `${role.name}:${id}`)).sort();
  assert.deepEqual(found, expected);
  assert.equal(report.failOn, "high");
  const byRole = (role: string, id: string) =>
    report.findings.find((finding) => finding.role === role && finding.id === id);
  assert.match(byRole("app_name", "weak-password")!.message, /variant of the role name/);
  assert.match(byRole("dbuser_dba", "weak-password")!.message, /vendor default/);
  assert.match(byRole("common_user", "weak-password")!.message, /most common/);
  assert.match(byRole("listed_user", "weak-password")!.message, /wordlist/);
  assert.match(byRole("unicode_user", "weak-password")!.message, /wordlist/);
  assert.match(byRole("legacy_weak", "weak-password")!.message, /most common/);
  assert.equal(byRole("dbuser_dba", "weak-password")!.severity, "critical");
  assert.ok(report.findings.every((finding) => finding.password === undefined));
  assert.equal(report.findings[0]!.severity, "critical", "worst first");
  for (const password of weakPasswords)
    assert.ok(
      !result.stdout.includes(password) && !result.stderr.includes(password),
      `${password} must not be printed`,
    );
});

test("without the wordlist, its entries are not found; the rest is", async () => {
  const result = await audit(["--format", "json"]);
  const found = (JSON.parse(result.stdout) as AuditJson).findings
    .filter((finding) => finding.id === "weak-password")
    .map((finding) => finding.role)
    .sort();
  assert.deepEqual(found, ["app_name", "common_user", "dbuser_dba", "legacy_weak"]);
});

test("text report: grouped by role, worst first, counts at the end; --show prints the found passwords", async () => {
  const hidden = await audit(["--wordlist", wordlist]);
  assert.equal(hidden.code, 1);
  for (const password of weakPasswords)
    assert.ok(!hidden.stdout.includes(password) && !hidden.stderr.includes(password), password);
  assert.match(
    hidden.stdout,
    /^dbuser_dba \(superuser, login, scram-sha-256, 4096 iterations\)\n {2}CRITICAL weak-password: /m,
  );
  assert.match(hidden.stdout, /\n\s+why: .+\n\s+fix: /);
  assert.match(hidden.stdout, /: 14 findings on 13 roles \(6 critical, 4 high, 2 medium, 2 low\)\n?$/);
  const list = hidden.stdout.split("\nWhat each finding means and how to fix it:\n")[0] as string;
  const headings = list
    .split("\n")
    .filter((line) => /^\S/.test(line))
    .map((line) => line.split(" (")[0]);
  assert.deepEqual(
    headings,
    [
      "app_name",
      "common_user",
      "dbuser_dba",
      "legacy_weak",
      "listed_user",
      "unicode_user",
      "expired_user",
      "legacy_strong",
      "never_valid",
      "cert_only",
      "few_iterations",
      "forever_user",
      "infinite_user",
    ],
    "the worst role first, then by name",
  );

  const shown = await audit(["--wordlist", wordlist, "--show"]);
  assert.equal(shown.code, 1);
  for (const role of PLANTED.filter((planted) => planted.weak)) {
    assert.ok(shown.stdout.includes(`password: ${role.password}\n`), `${role.name}'s password is shown with --show`);
  }
  const json = JSON.parse((await audit(["--wordlist", wordlist, "--show", "--format", "json"])).stdout) as AuditJson;
  assert.equal(json.findings.find((finding) => finding.role === "unicode_user")!.password, NON_ASCII_PASSWORD);
});

test("text report: each finding is one line; why and fix are printed once per kind of finding, not under every role", async () => {
  const result = await audit(["--wordlist", wordlist]);
  assert.equal(result.code, 1, result.stderr);
  const json = JSON.parse((await audit(["--wordlist", wordlist, "--format", "json"])).stdout) as AuditJson;
  const kinds = [...new Set(json.findings.map((finding) => finding.id))];
  assert.ok(
    json.findings.filter((finding) => finding.id === "weak-password").length >= 6,
    "several roles share a kind",
  );
  const count = (text: string) => result.stdout.split(text).length - 1;
  for (const id of kinds) {
    const found = json.findings.filter((finding) => finding.id === id);
    assert.equal(count(`    why: ${found[0]!.why}\n`), 1, `${id}'s why once`);
    // A fix that names each role (weak-password's) is said once in general terms; the JSON keeps each role's own.
    const fixes = new Set(found.map((finding) => finding.fix));
    const fixLines = result.stdout.split("\n").filter((line) => line.startsWith("    fix: "));
    if (fixes.size === 1) assert.equal(count(`    fix: ${found[0]!.fix}\n`), 1, `${id}'s fix once`);
    else
      assert.ok(
        found.every((finding) => !fixLines.includes(`    fix: ${finding.fix}`)),
        `${id}: no role's own fix repeated`,
      );
    assert.equal(count(`\n  ${id} (`), 1, `${id} in the legend once`);
  }
  assert.equal(
    result.stdout.split("\n").filter((line) => /^\s+why: /.test(line)).length,
    kinds.length,
    "one why per kind",
  );
  assert.equal(
    result.stdout.split("\n").filter((line) => /^\s+fix: /.test(line)).length,
    kinds.length,
    "one fix per kind",
  );
  // Every finding is exactly one line under its role: severity, id and message.
  for (const finding of json.findings) {
    assert.equal(
      count(`  ${finding.severity.toUpperCase().padEnd(8)} ${finding.id}: ${finding.message}\n`) >= 1,
      true,
      `${finding.role} ${finding.id}`,
    );
  }
  const findingLines = result.stdout.split("\n").filter((line) => /^ {2}(CRITICAL|HIGH|MEDIUM|LOW|INFO) /.test(line));
  assert.equal(findingLines.length, json.findings.length, "one line per finding");
  assert.ok(
    json.findings.every((finding) => finding.why.length > 0 && finding.fix.length > 0),
    "the JSON keeps why and fix on every finding",
  );
  assert.match(
    json.findings.find((finding) => finding.role === "dbuser_dba" && finding.id === "weak-password")!.fix,
    /--user dbuser_dba/,
    "and each role's own fix",
  );
});

test("a role that is not a superuser cannot read pg_authid: exit 6 with one clear line", async () => {
  const password = STRONG();
  await cluster.sql(
    `CREATE ROLE ${quoteIdentifier("auditor")} LOGIN PASSWORD ${quoteLiteral(scramVerifier(password))} VALID UNTIL ${quoteLiteral(FAR_FUTURE)};`,
  );
  try {
    const result = await audit([], password, "auditor");
    assert.equal(result.code, 6, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      "pgwarden: error: reading pg_authid (the stored passwords) needs a superuser: connect as postgres or another superuser\n",
    );
  } finally {
    await cluster.sql(`DROP ROLE ${quoteIdentifier("auditor")};`);
  }
});

test("a wrong password is exit 5; a missing wordlist exit 4; a password in --conn exit 2", async () => {
  const wrong = await audit([], "not-the-password");
  assert.equal(wrong.code, 5);
  assert.match(wrong.stderr, /^pgwarden: error: cannot connect with --conn: password authentication failed/);
  const missing = await audit(["--wordlist", join(work.dir, "missing.txt")]);
  assert.equal(missing.code, 4);
  assert.match(missing.stderr, /wordlist .*missing\.txt does not exist/);
  const inline = await pgwarden(["password", "audit", "--conn", url.replace("@", ":secret@")]);
  assert.equal(inline.code, 2);
  assert.equal(inline.stderr, "pgwarden: error: --conn must not contain a password: set PGPASSWORD or use ~/.pgpass\n");
  const query = await pgwarden(["password", "audit", "--conn", `${url}?password=secret`]);
  assert.equal(query.code, 2);
  assert.match(query.stderr, /--conn must not contain a password/);
});

test("--fail-on decides the exit code: 0 when what is left is below it", async () => {
  const fixed = PLANTED.filter((role) => role.expect.some((id) => id !== "no-valid-until"));
  await cluster.sql(fixed.map((role) => `DROP ROLE ${quoteIdentifier(role.name)};`).join("\n"));
  const left = await audit(["--format", "json"]);
  assert.equal(left.code, 0, left.stdout);
  assert.deepEqual(
    (JSON.parse(left.stdout) as AuditJson).findings.map((finding) => `${finding.role}:${finding.id}`),
    ["forever_user:no-valid-until", "infinite_user:no-valid-until"],
  );
  assert.equal((await audit(["--fail-on", "low"])).code, 1);
  assert.equal((await audit(["--fail-on", "medium"])).code, 0);
});
