import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { type CliResult, pgwarden, REPO_ROOT, tempDir } from "./support/cli.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "pigsty");

const RULES = [
  "local     all       postgres                    peer",
  "hostssl   all       +ops          10.0.0.0/8    cert",
  "host      all       blocked       10.0.0.0/8    reject",
  "host      all       blocked       10.0.0.0/8    trust",
  "hostssl   all       cert_user     10.0.0.0/8    cert",
  "hostssl   all       cert_user     10.0.0.0/8    trust",
  "host      sameuser  all           10.2.0.0/16   scram-sha-256",
  "host      all       /^svc_        10.0.0.0/8    scram-sha-256",
  "host      all       all           db.example.com trust",
  "host      replication replicator  10.0.0.0/8    scram-sha-256",
  "host      all       all           10.0.0.0/8    reject",
];

let work: { dir: string; cleanup: () => Promise<void> };
let hbaFile: string;

before(async () => {
  work = await tempDir("pgwarden-explain-cli-");
  hbaFile = join(work.dir, "pg_hba.conf");
  await writeFile(hbaFile, `${RULES.join("\n")}\n`);
});
after(async () => {
  await work?.cleanup();
});

const explain = (...args: string[]) => pgwarden(["hba", "explain", ...args]);

function json<T>(result: CliResult): T {
  return JSON.parse(result.stdout) as T;
}

interface Answer {
  verdict: string;
  reason: string;
  connection: { user: string; database: string; ssl: boolean; memberOf?: string[] };
  first: { line: number; method: string; access: string; reason?: string; demands: string } | null;
  undecided: { line: number; unknown: string }[];
  later: { line: number; method: string }[];
}

/** Bad input: exit code, one line on stderr, nothing on stdout. */
function assertBadInput(result: CliResult, code: number, message: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
}

test("a cert line with another CN: text names the line, says it would fail, lists the trust line never reached; exit 1", async () => {
  const result = await explain(
    hbaFile,
    "--user",
    "cert_user",
    "--db",
    "app",
    "--addr",
    "10.1.2.3",
    "--cert",
    "intruder",
    "--no-member-of",
  );
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stdout.trimEnd().split("\n");
  assert.equal(
    lines[0],
    `${hbaFile}: cert_user to database app from 10.1.2.3 over TLS with a client certificate for intruder (member of no role)`,
  );
  assert.equal(lines[1], "matches line 5: hostssl   all       cert_user     10.0.0.0/8    cert");
  assert.equal(
    lines[2],
    '  cert → would fail: certificate CN intruder is not user cert_user (the client is told: certificate authentication failed for user "cert_user")',
  );
  assert.equal(lines[3], "would also match, never reached (PostgreSQL does not try later lines once one matches):");
  assert.match(lines[4] ?? "", /^ {2}line 6: hostssl .* trust$/);
  assert.equal(lines.at(-1), "verdict: refused");
});

test("JSON: one document with the connection, the first line and what it demands, the later lines; exit 0 when allowed", async () => {
  const result = await explain(
    hbaFile,
    "--user",
    "cert_user",
    "--db",
    "app",
    "--addr",
    "10.1.2.3",
    "--cert",
    "cert_user",
    "--no-member-of",
    "--format",
    "json",
  );
  assert.equal(result.code, 0, result.stderr);
  const answer = json<Answer>(result);
  assert.equal(answer.verdict, "allowed");
  assert.equal(answer.connection.ssl, true, "--cert implies TLS");
  assert.deepEqual(
    [answer.first?.line, answer.first?.method, answer.first?.access, answer.first?.demands],
    [5, "cert", "allowed", "a client certificate whose CN is cert_user"],
  );
  assert.deepEqual(
    answer.later.map((later) => [later.line, later.method]),
    [
      [6, "trust"],
      [11, "reject"],
    ],
  );
  assert.equal(result.stderr, "");
});

test("an earlier reject beats a later trust; no TLS means hostssl lines never match", async () => {
  const blocked = json<Answer>(
    await explain(hbaFile, "--user", "blocked", "--addr", "10.1.2.3", "--no-member-of", "--format", "json"),
  );
  assert.deepEqual([blocked.verdict, blocked.first?.line, blocked.later[0]?.line], ["refused", 3, 4]);
  const plain = await explain(
    hbaFile,
    "--user",
    "cert_user",
    "--addr",
    "10.1.2.3",
    "--no-member-of",
    "--format",
    "json",
  );
  assert.equal(plain.code, 1);
  assert.equal(json<Answer>(plain).first?.line, 11);
  const outside = json<Answer>(
    await explain(hbaFile, "--user", "blocked", "--addr", "192.168.1.1", "--no-member-of", "--format", "json"),
  );
  assert.deepEqual(
    [outside.verdict, outside.first, outside.undecided.map((candidate) => candidate.line)],
    ["unknown", null, [9]],
    "only the host name line might match",
  );
  assert.match(outside.reason, /If none does: no line matches/);

  const narrow = join(work.dir, "narrow.conf");
  await writeFile(narrow, "host all all 10.0.0.0/8 trust\n");
  const none = await explain(narrow, "--user", "blocked", "--addr", "192.168.1.1");
  assert.equal(none.code, 1);
  assert.match(none.stdout, /^no line matches: PostgreSQL rejects \(no pg_hba\.conf entry\)$/m);
  assert.match(none.stdout, /^verdict: refused$/m);
});

test("memberships: unknown offline unless given; --member-of and --no-member-of decide", async () => {
  const unknown = await explain(hbaFile, "--user", "alice", "--db", "app", "--addr", "10.1.2.3", "--tls");
  assert.equal(unknown.code, 1, "cannot tell is not allowed");
  assert.match(unknown.stdout, /^may match line 2: hostssl .*\+ops/m);
  assert.match(unknown.stdout, /^ {2}cannot tell: whether alice is a member of ops is not known$/m);
  assert.match(
    unknown.stdout,
    /^verdict: cannot tell \(line 2, line 9 may match first: see above\)\nmemberships: give --member-of ROLE \(repeatable\) or --no-member-of, or ask the server with --conn$/m,
  );

  const member = json<Answer>(
    await explain(
      hbaFile,
      "--user",
      "alice",
      "--db",
      "app",
      "--addr",
      "10.1.2.3",
      "--tls",
      "--member-of",
      "staff",
      "--member-of",
      "ops",
      "--format",
      "json",
    ),
  );
  assert.deepEqual(member.connection.memberOf, ["staff", "ops"]);
  assert.deepEqual(
    [member.first?.line, member.first?.access],
    [2, "refused"],
    "+ops matches, and cert without a certificate fails",
  );
  const none = json<Answer>(
    await explain(
      hbaFile,
      "--user",
      "alice",
      "--db",
      "app",
      "--addr",
      "10.1.2.3",
      "--tls",
      "--no-member-of",
      "--format",
      "json",
    ),
  );
  assert.deepEqual(
    none.undecided.map((candidate) => candidate.line),
    [9],
    "the host name line stays undecided",
  );
  assert.match(
    none.undecided[0]?.unknown ?? "",
    /host name db\.example\.com: PostgreSQL would look the client's address up in DNS/,
  );
  assert.equal(none.verdict, "unknown");
});

test("--db defaults to the user's name (sameuser), --replication matches only the replication keyword, --pg-version reads /tokens", async () => {
  const sameuser = json<Answer>(
    await explain(hbaFile, "--user", "bob", "--addr", "10.2.0.1", "--no-member-of", "--format", "json"),
  );
  assert.deepEqual([sameuser.connection.database, sameuser.first?.line, sameuser.verdict], ["bob", 7, "allowed"]);
  const replication = json<Answer>(
    await explain(
      hbaFile,
      "--user",
      "replicator",
      "--replication",
      "--addr",
      "10.1.2.3",
      "--no-member-of",
      "--format",
      "json",
    ),
  );
  assert.equal(replication.first?.line, 10);
  const svc16 = json<Answer>(
    await explain(
      hbaFile,
      "--user",
      "svc_billing",
      "--db",
      "app",
      "--addr",
      "10.1.2.3",
      "--no-member-of",
      "--format",
      "json",
    ),
  );
  assert.equal(svc16.first?.line, 8, "a pattern from PostgreSQL 16 on (the default)");
  const svc15 = json<Answer>(
    await explain(
      hbaFile,
      "--user",
      "svc_billing",
      "--db",
      "app",
      "--addr",
      "10.1.2.3",
      "--no-member-of",
      "--pg-version",
      "15",
      "--format",
      "json",
    ),
  );
  assert.notEqual(svc15.first?.line, 8, "a plain name before 16");
});

test("--ssl is refused with the name of its replacement: --tls is the client's TLS, hba lint's --server-ssl the server's setting", async () => {
  assertBadInput(
    await explain(hbaFile, "--user", "alice", "--db", "app", "--addr", "10.1.2.3", "--ssl"),
    2,
    /^pgwarden: error: --ssl is no longer accepted here: use --tls for a client that connects with TLS \(hba lint's --server-ssl on\|off/m,
  );
  const help = await explain("--help");
  assert.match(help.stdout, /--tls +the client connects with TLS/);
  assert.doesNotMatch(help.stdout, /^ +--ssl\b/m, "the old spelling is not offered");
});

test("bad input: one line on stderr, exit 2; a missing file is exit 4; a server that does not answer is exit 5", async () => {
  assertBadInput(
    await explain(hbaFile, "--user", "alice", "--addr", "10.1.2"),
    2,
    /^pgwarden: error: --addr must be an IPv4 or IPv6 address, or local for the unix socket, got "10\.1\.2"$/m,
  );
  assertBadInput(
    await explain(hbaFile, "--user", "alice", "--addr", "db.example.com"),
    2,
    /--addr must be an IPv4 or IPv6 address/,
  );
  assertBadInput(await explain(hbaFile, "--user", "alice"), 2, /--addr IP/);
  assertBadInput(await explain(hbaFile, "--addr", "10.1.2.3"), 2, /--user NAME/);
  assertBadInput(
    await explain(hbaFile, "--user", "alice", "--addr", "local", "--tls"),
    2,
    /unix socket connection has no TLS/,
  );
  assertBadInput(
    await explain(hbaFile, "--user", "alice", "--addr", "10.1.2.3", "--pg-version", "sixteen"),
    2,
    /--pg-version must be a PostgreSQL major version/,
  );
  assertBadInput(
    await explain("--user", "alice", "--addr", "10.1.2.3"),
    2,
    /exactly one of FILE, --conn URL or --inventory/,
  );
  assertBadInput(
    await explain(join(work.dir, "missing.conf"), "--user", "alice", "--addr", "10.1.2.3"),
    4,
    /missing\.conf does not exist/,
  );
  const down = await explain(
    "--conn",
    "postgresql://postgres@127.0.0.1:1/postgres",
    "--user",
    "alice",
    "--addr",
    "10.1.2.3",
  );
  assert.equal(down.code, 5, down.stderr);
  assert.equal(down.stdout, "");
});

test("a file with lines PostgreSQL cannot read is explained, with a warning that the server would not load it", async () => {
  const broken = join(work.dir, "broken.conf");
  await writeFile(broken, "host all all 10.0.0.0/33 trust\nhost all all 10.0.0.0/8 scram-sha-256\n");
  const result = await explain(broken, "--user", "alice", "--addr", "10.1.2.3", "--no-member-of");
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^matches line 2: /m);
  assert.match(
    result.stderr,
    /^pgwarden: warning: .*broken\.conf:1: invalid CIDR mask in address "10\.0\.0\.0\/33": PostgreSQL refuses to load a file with errors/m,
  );
});

test("--inventory: the rendered rules at their inventory lines, memberships from Pigsty's roles", async () => {
  const inventory = join(FIXTURES, "safe.yml");
  const result = await explain(
    "--inventory",
    inventory,
    "--cluster",
    "pg-meta",
    "--instance",
    "pg-meta-1",
    "--user",
    "dbuser_dba",
    "--addr",
    "203.0.113.7",
    "--cert",
    "dbuser_dba",
    "--format",
    "json",
  );
  assert.equal(result.code, 0, result.stderr);
  const answer = json<Answer & { first: { file: string } }>(result);
  assert.equal(answer.first?.method, "cert");
  assert.equal(answer.first?.file, inventory);
  // dbrole_admin by Pigsty's defaults, and through it readwrite, readonly and pg_monitor.
  assert.deepEqual(answer.connection.memberOf, ["dbrole_admin", "dbrole_readonly", "dbrole_readwrite", "pg_monitor"]);
});

interface MatrixJson {
  file: string;
  networks: { labels: string[]; address: string }[];
  rows: {
    role: string;
    database: string;
    network: string;
    address: string;
    plain: { verdict: string; method?: string; line?: number };
    tls?: { verdict: string; method?: string };
  }[];
}

test("--matrix: one table for every role and network alias, with and without TLS; JSON too", async () => {
  const args = [
    "--inventory",
    join(FIXTURES, "safe.yml"),
    "--cluster",
    "pg-meta",
    "--instance",
    "pg-meta-1",
    "--matrix",
  ];
  const text = await explain(...args);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.split("\n");
  assert.match(lines[0] ?? "", /^pg-meta-1\.pg_hba\.conf \(cluster pg-meta, instance pg-meta-1\)/);
  assert.match(lines[2] ?? "", /^role\s+database\s+from\s+address\s+without TLS\s+with TLS$/);
  assert.match(text.stdout, /^postgres\s+postgres\s+local socket\s+local\s+peer \(line \d+\)\s+-$/m);
  assert.match(
    text.stdout,
    /^dbuser_dba\s+postgres\s+world\s+203\.0\.113\.7\s+no rule: rejected\s+cert \(line \d+\)$/m,
  );
  assert.match(
    text.stdout,
    /^replicator\s+\(replication\)\s+admin, infra\s+10\.10\.10\.10\s+no rule: rejected\s+scram-sha-256 \(line \d+\)$/m,
  );

  const matrix = json<MatrixJson>(await explain(...args, "--format", "json"));
  assert.deepEqual(
    matrix.networks.map((network) => network.address),
    ["local", "127.0.0.1", "10.10.10.10", "10.10.10.11", "10.1.2.3", "203.0.113.7"],
  );
  const world = matrix.rows.find((row) => row.role === "dbuser_app" && row.network === "world");
  assert.deepEqual([world?.plain.verdict, world?.tls?.verdict], ["refused", "refused"]);
  const intranet = matrix.rows.find((row) => row.role === "dbuser_app" && row.network === "intranet");
  assert.deepEqual(
    [intranet?.plain.verdict, intranet?.tls?.method],
    ["refused", "scram-sha-256"],
    "safe.yml's intranet rules are hostssl",
  );
  // The text table and the JSON rows are the same answers.
  assert.equal(lines.filter((line) => /^(postgres|replicator|dbuser_\w+)\s/.test(line)).length, matrix.rows.length);
});

test("--matrix: bad combinations are usage errors; an unknown cluster is not found", async () => {
  const inventory = join(FIXTURES, "safe.yml");
  assertBadInput(await explain(hbaFile, "--matrix"), 2, /--matrix answers for an inventory/);
  assertBadInput(
    await explain("--inventory", inventory, "--cluster", "pg-meta", "--matrix", "--user", "alice"),
    2,
    /leave out --user/,
  );
  assertBadInput(
    await explain("--inventory", inventory, "--cluster", "pg-meta", "--matrix", "--target", "pgbouncer"),
    2,
    /--target pg/,
  );
  assertBadInput(
    await explain("--inventory", inventory, "--cluster", "pg-nowhere", "--matrix"),
    4,
    /no cluster "pg-nowhere"/,
  );
});

test("--help: synopsis, exit codes and examples", async () => {
  const help = await explain("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: pgwarden hba explain \[options\] \[file\]/);
  assert.match(help.stdout, /EXIT CODES/);
  assert.match(help.stdout, /EXAMPLES\n {2}\$ pgwarden hba explain /);
  assert.match(help.stdout, /--matrix/);
});
