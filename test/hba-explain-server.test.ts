/*
 * Proof that `pgwarden hba explain` agrees with what PostgreSQL does: a real server with TLS
 * on 127.0.0.1 gets an HBA file (through `pgwarden hba apply`) mixing reject, trust, scram,
 * cert and clientcert lines, hostssl and hostnossl, source networks inside 127.0.0.0/8, a
 * /regex user and +group users. For every case the CLI explains the connection (rules,
 * version and memberships asked from the server with --conn), then the test connects for
 * real from that source address (Linux routes all of 127/8 to lo) and compares: allowed
 * exactly when the server accepts, and each refusal for the reason the server gives.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { Socket } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";

import pg from "pg";

import { quoteIdentifier, quoteLiteral } from "../src/core/identifier.js";
import { scramVerifier } from "../src/roles/scram.js";
import { type CliResult, issueWithCli, pgwarden, tempDir } from "./support/cli.js";
import { type Cluster, startCluster } from "./support/pg-cluster.js";

/** The file under test; line numbers are the ones the cases talk about. */
const HBA_LINES = [
  "local     all     postgres        peer",
  "host      all     postgres        127.0.0.1/32   scram-sha-256",
  "hostssl   all     +ops            127.0.0.5/32   cert",
  "host      all     blocked         127.0.0.0/8    reject",
  "host      all     blocked         127.0.0.0/8    trust",
  "hostssl   all     cert_user       127.0.0.0/8    cert",
  "hostssl   all     cert_user       127.0.0.0/8    trust",
  "host      all     trusty          127.0.0.2/32   trust",
  "host      all     trusty          127.0.0.0/8    reject",
  "hostnossl all     plain           127.0.0.0/8    scram-sha-256",
  "hostssl   all     plain           127.0.0.3/32   reject",
  "host      all     /^svc_[a-z]+$   127.0.0.0/8    scram-sha-256",
  "host      all     +staff          127.0.0.4/32   scram-sha-256",
  "hostssl   app_db  carol           127.0.0.0/8    scram-sha-256 clientcert=verify-full",
  "host      all     ghost           127.0.0.6/32   trust",
  "host      all     all             127.0.0.0/16   reject",
  // From here on, issue 11 point 15: what explain once got wrong against PostgreSQL 15.
  "host      all     /(              127.2.0.1/32   trust",
  "host      all     masky           127.3.0.1      255.255.0.255  trust",
  "hostssl   all     rejcert         127.2.0.2/32   reject clientcert=verify-ca",
  "hostssl   all     trustfull       127.2.0.3/32   trust clientcert=verify-full",
  'host      all     "all"           127.2.0.4/32   trust',
  'host      "replication" dave      127.2.0.5/32   trust',
  'host      all     "+ops"          127.2.0.6/32   trust',
  "local     all     trusty                         trust",
  "local     all     hbaview                        trust",
  "hostssl   all     md5user         127.2.0.7/32   md5 clientcert=verify-full",
  "hostssl   all     pwuser          127.2.0.8/32   password clientcert=verify-full",
];

const LINE = {
  cert: 6,
  certTrust: 7,
  reject: 4,
  laterTrust: 5,
  regex: 12,
  last: 16,
  slashName: 17,
  mask: 18,
  quotedAll: 21,
} as const;

/** Login roles (with a password each) and group roles with their members; `ghost` is never created. */
const LOGIN_ROLES = [
  "blocked",
  "cert_user",
  "trusty",
  "plain",
  "svc_billing",
  "/^svc_[a-z]+$",
  "ops_lead",
  "carol",
  "dave",
  "/(",
  "masky",
  "rejcert",
  "trustfull",
  "md5user",
  "pwuser",
  "hbaview",
];
const GROUPS: readonly [group: string, member: string][] = [
  ["ops", "ops_lead"],
  ["team", "carol"],
  ["staff", "team"],
];
/** Client certificates the CA issues (intruder's CN is a role that is not the one connecting). */
const CERTIFICATES = ["cert_user", "intruder", "ops_lead", "carol", "pwuser"];

interface Case {
  readonly title: string;
  readonly user: string;
  readonly database?: string;
  /** The client's source address inside 127.0.0.0/8, or local for the unix socket. */
  readonly from: string;
  readonly tls: boolean;
  /** CN of the client certificate presented. */
  readonly cert?: string;
}

const CASES: readonly Case[] = [
  { title: "an earlier reject wins over a later trust", user: "blocked", from: "127.0.0.1", tls: false },
  { title: "cert with the user's own certificate", user: "cert_user", from: "127.0.0.1", tls: true, cert: "cert_user" },
  {
    title: "cert with another role's certificate fails instead of falling through to trust",
    user: "cert_user",
    from: "127.0.0.1",
    tls: true,
    cert: "intruder",
  },
  { title: "cert without a certificate fails", user: "cert_user", from: "127.0.0.7", tls: true },
  { title: "hostssl lines never match without TLS", user: "cert_user", from: "127.0.0.1", tls: false },
  { title: "trust from the one /32 it names", user: "trusty", from: "127.0.0.2", tls: false },
  { title: "the wider network's reject elsewhere", user: "trusty", from: "127.0.0.1", tls: true },
  { title: "hostnossl with a password", user: "plain", from: "127.0.0.1", tls: false },
  { title: "hostssl reject from 127.0.0.3", user: "plain", from: "127.0.0.3", tls: true },
  { title: "TLS where only hostnossl lets plain in", user: "plain", from: "127.0.0.2", tls: true },
  { title: "a /regex user line and a name it would match", user: "svc_billing", from: "127.0.0.1", tls: false },
  { title: "a role named like the pattern itself", user: "/^svc_[a-z]+$", from: "127.0.0.1", tls: false },
  { title: "+ops with a certificate", user: "ops_lead", from: "127.0.0.5", tls: true, cert: "ops_lead" },
  { title: "+ops without a certificate fails", user: "ops_lead", from: "127.0.0.5", tls: true },
  { title: "+staff through a nested grant", user: "carol", from: "127.0.0.4", tls: false },
  { title: "+staff for a role that is not a member", user: "dave", from: "127.0.0.4", tls: false },
  {
    title: "clientcert=verify-full with the right certificate",
    user: "carol",
    database: "app_db",
    from: "127.0.0.1",
    tls: true,
    cert: "carol",
  },
  {
    title: "clientcert=verify-full with another certificate",
    user: "carol",
    database: "app_db",
    from: "127.0.0.1",
    tls: true,
    cert: "intruder",
  },
  { title: "trust for a role the server does not have", user: "ghost", from: "127.0.0.6", tls: false },
  { title: "no line for an address outside 127.0.0.0/16", user: "dave", from: "127.1.0.1", tls: false },
  { title: "PostgreSQL 15: a user token /( is a plain name, its line kept", user: "/(", from: "127.2.0.1", tls: false },
  {
    title: "a mask that is not contiguous matches bit by bit: 127.3.9.1",
    user: "masky",
    from: "127.3.9.1",
    tls: false,
  },
  { title: "a mask that is not contiguous masks out 127.3.9.2", user: "masky", from: "127.3.9.2", tls: false },
  {
    title: "reject with clientcert and no certificate fails for the missing certificate",
    user: "rejcert",
    from: "127.2.0.2",
    tls: true,
  },
  {
    title: "reject with clientcert and a certificate rejects",
    user: "rejcert",
    from: "127.2.0.2",
    tls: true,
    cert: "intruder",
  },
  { title: "trust with clientcert=verify-full and no certificate", user: "trustfull", from: "127.2.0.3", tls: true },
  {
    title: "trust with clientcert=verify-full and another CN fails as trust",
    user: "trustfull",
    from: "127.2.0.3",
    tls: true,
    cert: "intruder",
  },
  {
    title: "md5 with clientcert=verify-full and another CN fails as a password",
    user: "md5user",
    from: "127.2.0.7",
    tls: true,
    cert: "intruder",
  },
  { title: "md5 with clientcert=verify-full and no certificate", user: "md5user", from: "127.2.0.7", tls: true },
  {
    title: "password with clientcert=verify-full and another CN fails as a password",
    user: "pwuser",
    from: "127.2.0.8",
    tls: true,
    cert: "intruder",
  },
  {
    title: "password with clientcert=verify-full and the user's own CN",
    user: "pwuser",
    from: "127.2.0.8",
    tls: true,
    cert: "pwuser",
  },
  { title: 'a quoted "all" is the role named all, not every role', user: "dave", from: "127.2.0.4", tls: false },
  { title: 'a quoted "replication" is the database named replication', user: "dave", from: "127.2.0.5", tls: false },
  {
    title: 'a quoted "+ops" is the role named +ops, not the members of ops',
    user: "ops_lead",
    from: "127.2.0.6",
    tls: false,
  },
  { title: "the unix socket: a local trust line", user: "trusty", from: "local", tls: false },
  { title: "the unix socket: no local line for dave", user: "dave", from: "local", tls: false },
];

function caseTitled(start: string): Case {
  const found = CASES.find((c) => c.title.startsWith(start));
  assert.ok(found, start);
  return found;
}

/** What `hba explain --format json` answers. */
interface Answer {
  readonly verdict: "allowed" | "refused" | "unknown";
  readonly reason: string;
  /** When refused: what the client is told. */
  readonly serverMessage?: string;
  readonly first: {
    readonly line: number;
    readonly method: string;
    readonly options: Readonly<Record<string, string>>;
    readonly access: string;
    readonly reason?: string;
  } | null;
  readonly undecided: readonly unknown[];
  readonly later: readonly { readonly line: number; readonly method: string }[];
}

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };
let caPem: string;
/** The file applied to the server, kept in the work directory for explain FILE. */
let hbaFile: string;
const passwords = new Map<string, string>();
const certificates = new Map<string, { cert: string; key: string }>();
const SUPERUSER_PASSWORD = randomBytes(12).toString("hex");

async function cli(args: string[], env?: Record<string, string>): Promise<CliResult> {
  const result = await pgwarden(args, { env });
  assert.equal(result.code, 0, `pgwarden ${args.join(" ")}: ${result.stderr}`);
  return result;
}

before(async () => {
  work = await tempDir("pgwarden-explain-server-");
  const pki = join(work.dir, "pki");
  await cli(["ca", "init", "--pki", pki]);
  const issue = (profile: "server" | "client", cn: string, sans: string[] = []) => issueWithCli(pki, profile, cn, sans);
  const server = await issue("server", "explain-server", ["127.0.0.1"]);
  caPem = await readFile(join(pki, "ca", "ca.crt"), "utf8");
  for (const cn of CERTIFICATES) {
    const issued = await issue("client", cn);
    certificates.set(cn, {
      cert: await readFile(issued.certPath, "utf8"),
      key: await readFile(issued.keyPath, "utf8"),
    });
  }
  cluster = await startCluster({
    tls: { certPem: await readFile(server.certPath, "utf8"), keyPem: await readFile(server.keyPath, "utf8"), caPem },
  });

  // Passwords reach the server only as SCRAM verifiers; names are quoted identifiers, never pasted in.
  const statements = [
    `ALTER ROLE postgres PASSWORD ${quoteLiteral(scramVerifier(SUPERUSER_PASSWORD))};`,
    "CREATE DATABASE app_db;",
  ];
  for (const role of LOGIN_ROLES) {
    const password = randomBytes(12).toString("hex");
    passwords.set(role, password);
    statements.push(`CREATE ROLE ${quoteIdentifier(role)} LOGIN PASSWORD ${quoteLiteral(scramVerifier(password))};`);
  }
  for (const [group] of GROUPS) statements.push(`CREATE ROLE ${quoteIdentifier(group)} NOLOGIN;`);
  for (const [group, member] of GROUPS)
    statements.push(`GRANT ${quoteIdentifier(group)} TO ${quoteIdentifier(member)};`);
  // hbaview may read pg_hba_file_rules but not files: explain --conn as it falls back to the view.
  statements.push(
    "GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO hbaview;",
    "GRANT SELECT ON pg_catalog.pg_hba_file_rules TO hbaview;",
    "GRANT pg_read_all_settings TO hbaview;",
  );
  await cluster.sql(statements.join("\n"));

  hbaFile = join(work.dir, "pg_hba.conf");
  await writeFile(hbaFile, `${HBA_LINES.join("\n")}\n`);
  await cli(["hba", "apply", hbaFile, "--pgdata", cluster.dataDir]);
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

/** pgwarden's prediction, asking the server for its rules, version and the role's memberships. */
async function explainCase(c: Case): Promise<{ answer: Answer; code: number }> {
  const args = [
    "hba",
    "explain",
    "--conn",
    `postgresql://postgres@127.0.0.1:${cluster.port}/postgres`,
    "--user",
    c.user,
    "--db",
    c.database ?? "postgres",
    "--addr",
    c.from,
    "--format",
    "json",
  ];
  if (c.tls) args.push("--tls");
  if (c.cert) args.push("--cert", c.cert);
  const result = await pgwarden(args, { env: { PGPASSWORD: SUPERUSER_PASSWORD } });
  assert.ok(result.code === 0 || result.code === 1, `${c.title}: hba explain exit ${result.code}: ${result.stderr}`);
  return { answer: JSON.parse(result.stdout) as Answer, code: result.code };
}

/** How many `hba explain` processes run at once. */
const PARALLEL_EXPLAINS = 4;

async function inBatches<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size)
    results.push(...(await Promise.all(items.slice(start, start + size).map(run))));
  return results;
}

/** node-postgres opens its socket through this, bound to `localAddress`, so the server sees that source. */
function socketFrom(localAddress: string): () => Socket {
  return () => {
    const socket = new Socket();
    const connect = socket.connect.bind(socket) as (options: {
      port: number;
      host: string;
      localAddress: string;
    }) => Socket;
    return Object.assign(socket, { connect: (port: number, host: string) => connect({ port, host, localAddress }) });
  };
}

/** Connects for real; on success, the address the server saw. */
async function connectFor(
  c: Case,
): Promise<{ accepted: true; clientAddress: string } | { accepted: false; error: string }> {
  const certificate = c.cert === undefined ? {} : (certificates.get(c.cert) as { cert: string; key: string });
  const local = c.from === "local";
  const client = new pg.Client({
    host: local ? cluster.socketDir : "127.0.0.1",
    port: cluster.port,
    user: c.user,
    database: c.database ?? "postgres",
    password: passwords.get(c.user) ?? "no-such-role",
    connectionTimeoutMillis: 10_000,
    ...(local ? {} : { stream: socketFrom(c.from) }),
    ssl: c.tls ? { ca: caPem, rejectUnauthorized: true, ...certificate } : false,
  });
  let row: { address: string | null; user: string } | undefined;
  try {
    await client.connect();
    row = (
      await client.query<{ address: string | null; user: string }>(
        "SELECT host(inet_client_addr()) AS address, current_user AS user",
      )
    ).rows[0];
  } catch (error) {
    return { accepted: false, error: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
  // Outside the try: a wrong session is a failed test, not a refusal.
  assert.equal(row?.user, c.user);
  // The socket has no client address.
  return { accepted: true, clientAddress: row?.address ?? "local" };
}

/** What the client is told, as explain predicts it: the server's own words (auth.c), compared exactly. */
function refusalMessage(answer: Answer): string {
  assert.ok(answer.serverMessage, `a refusal says what the client is told: ${JSON.stringify(answer)}`);
  return answer.serverMessage;
}

test("explain's prediction equals the server's verdict, case by case, for the reason the server gives", async () => {
  assert.ok(CASES.length >= 30);
  const outcomes: string[] = [];
  const predictions = await inBatches(CASES, PARALLEL_EXPLAINS, explainCase);
  for (const [index, c] of CASES.entries()) {
    const { answer, code } = predictions[index] as { answer: Answer; code: number };
    assert.notEqual(answer.verdict, "unknown", `${c.title}: with --conn nothing is left unknown: ${answer.reason}`);
    assert.deepEqual(answer.undecided, [], c.title);
    assert.equal(code, answer.verdict === "allowed" ? 0 : 1, `${c.title}: the exit code is the answer`);
    const real = await connectFor(c);
    assert.equal(
      real.accepted,
      answer.verdict === "allowed",
      `${c.title}: explain said ${answer.verdict} (${answer.reason}); the server ${real.accepted ? "accepted" : `refused: ${real.error}`}`,
    );
    if (real.accepted)
      assert.equal(real.clientAddress, c.from, `${c.title}: the server saw the source address the case names`);
    else assert.equal(real.error, refusalMessage(answer), `${c.title}: ${answer.reason}`);
    // A CN mismatch behind another method: the client hears the method failed, the log names the certificate.
    if (!real.accepted && /certificate CN/.test(answer.first?.reason ?? "") && answer.first?.method !== "cert") {
      assert.match(
        await cluster.log(),
        new RegExp(`certificate validation \\(clientcert=verify-full\\) failed for user "${c.user}"`),
        `${c.title}: the server log names the certificate`,
      );
    }
    outcomes.push(`${answer.verdict}:${answer.first?.line ?? "-"}`);
  }
  // Both verdicts occur, from many different lines: the cases test the rules, not one default.
  assert.ok(
    outcomes.some((outcome) => outcome.startsWith("allowed")) &&
      outcomes.some((outcome) => outcome.startsWith("refused")),
  );
  assert.ok(new Set(outcomes.map((outcome) => outcome.split(":")[1])).size >= 10, outcomes.join(" "));
});

test("the cases the proof must hold: a failing cert line does not fall through, an earlier reject beats a later trust", async () => {
  const mismatch = (await explainCase(caseTitled("cert with another role"))).answer;
  assert.deepEqual([mismatch.verdict, mismatch.first?.line, mismatch.first?.method], ["refused", LINE.cert, "cert"]);
  assert.match(mismatch.first?.reason ?? "", /certificate CN intruder is not user cert_user/);
  assert.ok(
    mismatch.later.some((later) => later.line === LINE.certTrust && later.method === "trust"),
    "the trust line after it would have let the user in",
  );

  const reject = (await explainCase(caseTitled("an earlier reject"))).answer;
  assert.deepEqual([reject.verdict, reject.first?.line, reject.first?.method], ["refused", LINE.reject, "reject"]);
  assert.ok(reject.later.some((later) => later.line === LINE.laterTrust && later.method === "trust"));
});

test("/regex tokens are read as the server's version reads them", async () => {
  const major = Math.floor(Number(await cluster.sql("SHOW server_version_num")) / 10_000);
  const svc = (await explainCase(caseTitled("a /regex user line"))).answer;
  const literal = (await explainCase(caseTitled("a role named like the pattern"))).answer;
  // Before 16 the token is the role named "/^svc_[a-z]+$"; from 16 on it is a pattern that svc_billing matches.
  assert.equal(svc.first?.line, major >= 16 ? LINE.regex : LINE.last);
  assert.equal(literal.first?.line, major >= 16 ? LINE.last : LINE.regex);
});

/** The server's major version. */
async function serverMajor(): Promise<number> {
  return Math.floor(Number(await cluster.sql("SHOW server_version_num")) / 10_000);
}

test("explain FILE --pg-version (the server's) keeps a /( user line before 16 and matches a mask bit by bit, as the server does", async () => {
  const major = await serverMajor();
  const cases = [
    caseTitled("PostgreSQL 15: a user token /("),
    caseTitled("a mask that is not contiguous matches"),
    caseTitled("a mask that is not contiguous masks out"),
  ];
  for (const c of cases) {
    const args = [
      "hba",
      "explain",
      hbaFile,
      "--pg-version",
      String(major),
      "--user",
      c.user,
      "--db",
      "postgres",
      "--addr",
      c.from,
      "--no-member-of",
      "--format",
      "json",
    ];
    const result = await pgwarden(args);
    assert.ok(result.code === 0 || result.code === 1, `${c.title}: ${result.stderr}`);
    assert.doesNotMatch(
      result.stderr,
      /refuses to load/,
      `${c.title}: the server loads this file, so pgwarden reports no error in it`,
    );
    const answer = JSON.parse(result.stdout) as Answer;
    const real = await connectFor(c);
    assert.equal(
      real.accepted,
      answer.verdict === "allowed",
      `${c.title}: ${answer.reason}; the server ${real.accepted ? "accepted" : `refused: ${real.error}`}`,
    );
    if (!real.accepted) assert.equal(real.error, refusalMessage(answer), c.title);
  }
  const slash = JSON.parse(
    (
      await pgwarden([
        "hba",
        "explain",
        hbaFile,
        "--pg-version",
        String(major),
        "--user",
        "/(",
        "--addr",
        "127.2.0.1",
        "--format",
        "json",
      ])
    ).stdout,
  ) as Answer;
  assert.equal(slash.first?.line, major >= 16 ? undefined : LINE.slashName);
  const mask = JSON.parse(
    (await pgwarden(["hba", "explain", hbaFile, "--user", "masky", "--addr", "127.3.9.1", "--format", "json"])).stdout,
  ) as Answer;
  assert.deepEqual([mask.verdict, mask.first?.line], ["allowed", LINE.mask]);
});

test("hba lint of the applied file (as the server's version reads it): no parse error where the server loaded the line", async () => {
  const major = await serverMajor();
  const result = await pgwarden(["hba", "lint", hbaFile, "--pg-version", String(major), "--format", "json"]);
  const report = JSON.parse(result.stdout) as { findings: { id: string; source: { line: number }; message: string }[] };
  assert.deepEqual(
    report.findings.filter((finding) => finding.id === "parse-error"),
    [],
    "PostgreSQL loaded this file",
  );
  const live = await pgwarden(
    ["hba", "lint", "--conn", `postgresql://postgres@127.0.0.1:${cluster.port}/postgres`, "--format", "json"],
    { env: { PGPASSWORD: SUPERUSER_PASSWORD } },
  );
  const liveReport = JSON.parse(live.stdout) as typeof report;
  assert.deepEqual(
    liveReport.findings.filter((finding) => finding.id === "parse-error"),
    [],
    `lint --conn reads the same file: ${live.stderr}`,
  );
});

test("explain --conn as a role that may not read files: from pg_hba_file_rules a quoted keyword cannot be told from the keyword, and explain says so", async () => {
  const c = caseTitled('a quoted "all" is the role named all');
  const url = `postgresql://hbaview@localhost/postgres?host=${encodeURIComponent(cluster.socketDir)}&port=${cluster.port}`;
  // The database the real connection asks for: with a missing one, both readings of the line refuse alike.
  const args = [
    "hba",
    "explain",
    "--conn",
    url,
    "--user",
    c.user,
    "--db",
    c.database ?? "postgres",
    "--addr",
    c.from,
    "--format",
    "json",
  ];
  const result = await pgwarden(args);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /pg_hba_file_rules, which drops quotes/);
  const answer = JSON.parse(result.stdout) as Answer;
  assert.equal(answer.verdict, "unknown", answer.reason);
  assert.match(answer.reason, /without the quotes it may have had/);
  assert.ok(answer.reason.includes(`:${LINE.quotedAll} may match first`), answer.reason);
  // The superuser's --conn reads the file itself and agrees with the server.
  const superuser = (await explainCase(c)).answer;
  assert.equal(superuser.verdict, "refused");
  assert.equal((await connectFor(c)).accepted, false);
});
