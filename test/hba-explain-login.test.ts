/*
 * Proof that `pgwarden hba explain --conn` decides as PostgreSQL does after the pg_hba line is
 * chosen: the role's stored password against the line's method (scram-sha-256 needs a SCRAM
 * secret, md5 takes either, none or an expired VALID UNTIL fails every password method but not
 * cert or trust), NOLOGIN, and the database (missing, datallowconn false, CONNECT revoked, a
 * superuser passing the last). Each case runs through psql (with the right password where the
 * role has one) and through explain, which must agree and say what psql is told.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { quoteIdentifier, quoteLiteral } from "../src/core/identifier.js";
import { scramVerifier } from "../src/roles/scram.js";
import { type CliResult, issueWithCli, pgwarden, tempDir } from "./support/cli.js";
import { psql } from "./support/clients.js";
import { type Cluster, startCluster } from "./support/pg-cluster.js";

const HBA_LINES = [
  "local     all     all                            trust",
  "hostssl   all     bob,nopw,exp,scram_ok,nl_pw    127.0.0.1/32   scram-sha-256",
  "hostssl   all     md5_scram,md5_md5,md5_exp      127.0.0.1/32   md5",
  "hostssl   all     pw_md5                         127.0.0.1/32   password",
  "hostssl   all     certy,exp_cert                 127.0.0.1/32   cert",
  "hostssl   all     all                            127.0.0.1/32   scram-sha-256",
  "hostssl   replication app,boss                   127.0.0.1/32   scram-sha-256",
];

type Stored = "scram" | "md5" | "none";

/** The roles, how their password is stored, and what else they are. */
const ROLES: readonly { name: string; stored: Stored; extra?: string }[] = [
  { name: "bob", stored: "md5" },
  { name: "nopw", stored: "none" },
  { name: "exp", stored: "scram", extra: "VALID UNTIL '2000-01-01'" },
  { name: "scram_ok", stored: "scram" },
  { name: "nl", stored: "none", extra: "NOLOGIN" },
  { name: "nl_pw", stored: "scram", extra: "NOLOGIN" },
  { name: "md5_scram", stored: "scram" },
  { name: "md5_md5", stored: "md5" },
  { name: "md5_exp", stored: "md5", extra: "VALID UNTIL '2000-01-01'" },
  { name: "pw_md5", stored: "md5" },
  { name: "certy", stored: "none" },
  { name: "exp_cert", stored: "scram", extra: "VALID UNTIL '2000-01-01'" },
  { name: "app", stored: "scram" },
  { name: "boss", stored: "scram", extra: "SUPERUSER" },
  { name: "zerolim", stored: "scram", extra: "CONNECTION LIMIT 0" },
  { name: "suzero", stored: "scram", extra: "SUPERUSER CONNECTION LIMIT 0" },
];

interface Case {
  readonly title: string;
  readonly user: string;
  readonly db: string;
  /** local: the unix socket (trust); tls: 127.0.0.1 with sslmode=verify-full. */
  readonly via: "local" | "tls";
  readonly cert?: boolean;
  /** A physical replication connection (psql replication=true, IDENTIFY_SYSTEM). */
  readonly replication?: boolean;
  /** The server's words when it refuses; undefined when it lets the role in. */
  readonly refused?: string;
}

const CASES: readonly Case[] = [
  {
    title: "an MD5 secret on a scram-sha-256 line",
    user: "bob",
    db: "postgres",
    via: "tls",
    refused: 'password authentication failed for user "bob"',
  },
  {
    title: "no password on a scram-sha-256 line",
    user: "nopw",
    db: "postgres",
    via: "tls",
    refused: 'password authentication failed for user "nopw"',
  },
  {
    title: "VALID UNTIL in the past on a scram-sha-256 line",
    user: "exp",
    db: "postgres",
    via: "tls",
    refused: 'password authentication failed for user "exp"',
  },
  {
    title: "VALID UNTIL in the past on an md5 line",
    user: "md5_exp",
    db: "postgres",
    via: "tls",
    refused: 'password authentication failed for user "md5_exp"',
  },
  {
    title: "NOLOGIN over local trust",
    user: "nl",
    db: "postgres",
    via: "local",
    refused: 'role "nl" is not permitted to log in',
  },
  {
    title: "NOLOGIN with the right password",
    user: "nl_pw",
    db: "postgres",
    via: "tls",
    refused: 'role "nl_pw" is not permitted to log in',
  },
  {
    title: "a database that does not exist",
    user: "app",
    db: "no_such_db",
    via: "tls",
    refused: 'database "no_such_db" does not exist',
  },
  {
    title: "CONNECT revoked from PUBLIC",
    user: "app",
    db: "nodb",
    via: "tls",
    refused: 'permission denied for database "nodb"',
  },
  {
    title: "CONNECT revoked, over local trust",
    user: "app",
    db: "nodb",
    via: "local",
    refused: 'permission denied for database "nodb"',
  },
  {
    title: "template0 does not allow connections",
    user: "app",
    db: "template0",
    via: "tls",
    refused: 'database "template0" is not currently accepting connections',
  },
  {
    title: "template0 refuses a superuser too",
    user: "boss",
    db: "template0",
    via: "tls",
    refused: 'database "template0" is not currently accepting connections',
  },
  { title: "a SCRAM secret and the right password", user: "scram_ok", db: "postgres", via: "tls" },
  { title: "a superuser where CONNECT is revoked", user: "boss", db: "nodb", via: "tls" },
  { title: "an md5 line with a SCRAM secret", user: "md5_scram", db: "postgres", via: "tls" },
  { title: "an md5 line with an MD5 secret", user: "md5_md5", db: "postgres", via: "tls" },
  { title: "a password line with an MD5 secret", user: "pw_md5", db: "postgres", via: "tls" },
  { title: "a cert login", user: "certy", db: "postgres", via: "tls", cert: true },
  { title: "a cert login ignores VALID UNTIL", user: "exp_cert", db: "postgres", via: "tls", cert: true },
  { title: "app with the right password to a database it may connect to", user: "app", db: "postgres", via: "tls" },
  {
    title: "replication without REPLICATION",
    user: "app",
    db: "postgres",
    via: "tls",
    replication: true,
    refused: "must be superuser or replication role to start walsender",
  },
  { title: "replication as a superuser", user: "boss", db: "postgres", via: "tls", replication: true },
  {
    title: "a role with CONNECTION LIMIT 0",
    user: "zerolim",
    db: "postgres",
    via: "tls",
    refused: 'too many connections for role "zerolim"',
  },
  {
    title: "a database with CONNECTION LIMIT 0",
    user: "app",
    db: "dblim",
    via: "tls",
    refused: 'too many connections for database "dblim"',
  },
  { title: "a superuser ignores both connection limits", user: "suzero", db: "dblim", via: "tls" },
];

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };
let caPath: string;
const passwords = new Map<string, string>();
const certificates = new Map<string, { certPath: string; keyPath: string }>();

async function cli(args: string[]): Promise<CliResult> {
  const result = await pgwarden(args);
  assert.equal(result.code, 0, `pgwarden ${args.join(" ")}: ${result.stderr}`);
  return result;
}

/** The stored form of a password: the plain text never reaches the server. */
function secretOf(role: string, stored: Stored, password: string): string {
  if (stored === "scram") return scramVerifier(password);
  return `md5${createHash("md5")
    .update(password + role)
    .digest("hex")}`;
}

before(async () => {
  work = await tempDir("pgwarden-explain-login-");
  const pki = join(work.dir, "pki");
  await cli(["ca", "init", "--pki", pki]);
  const issue = (profile: "server" | "client", cn: string, sans: string[] = []) => issueWithCli(pki, profile, cn, sans);
  const server = await issue("server", "explain-login", ["127.0.0.1"]);
  caPath = join(pki, "ca", "ca.crt");
  const caPem = await readFile(caPath, "utf8");
  for (const cn of ["certy", "exp_cert"]) certificates.set(cn, await issue("client", cn));
  cluster = await startCluster({
    tls: { certPem: await readFile(server.certPath, "utf8"), keyPem: await readFile(server.keyPath, "utf8"), caPem },
  });

  const statements = [
    "CREATE DATABASE nodb;",
    "REVOKE CONNECT ON DATABASE nodb FROM PUBLIC;",
    "CREATE DATABASE dblim CONNECTION LIMIT 0;",
  ];
  for (const role of ROLES) {
    const password = randomBytes(12).toString("hex");
    const secret =
      role.stored === "none" ? "" : ` PASSWORD ${quoteLiteral(secretOf(role.name, role.stored, password))}`;
    if (role.stored !== "none") passwords.set(role.name, password);
    const login = role.extra?.includes("NOLOGIN") ? "" : " LOGIN";
    statements.push(`CREATE ROLE ${quoteIdentifier(role.name)}${login}${secret}${role.extra ? ` ${role.extra}` : ""};`);
  }
  // app may read pg_hba.conf (pg_read_file), not pg_authid: explain --conn as a role that is not a superuser.
  statements.push(
    "GRANT pg_read_server_files TO app;",
    "GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_file(text) TO app;",
    "GRANT pg_read_all_settings TO app;",
  );
  await cluster.sql(statements.join("\n"));
  const hbaFile = join(work.dir, "pg_hba.conf");
  await writeFile(hbaFile, `${HBA_LINES.join("\n")}\n`);
  await cli(["hba", "apply", hbaFile, "--pgdata", cluster.dataDir]);
});

after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

/** psql's connection string for the case: the socket, or 127.0.0.1 with the server's certificate verified. */
function conninfo(c: Case): string {
  const base = `port=${cluster.port} user=${c.user} dbname=${c.db}${c.replication ? " replication=true" : ""}`;
  if (c.via === "local") return `host=${cluster.socketDir} ${base}`;
  const certificate = c.cert ? certificates.get(c.user) : undefined;
  const client = certificate ? ` sslcert=${certificate.certPath} sslkey=${certificate.keyPath}` : "";
  return `host=127.0.0.1 ${base} sslmode=verify-full sslrootcert=${caPath}${client}`;
}

/** explain --conn over the socket as the bootstrap superuser (local trust). */
function explainArgs(c: Case, format: "json" | "text"): string[] {
  const url = `postgresql://${cluster.superuser}@localhost/postgres?host=${encodeURIComponent(cluster.socketDir)}&port=${cluster.port}`;
  const where =
    c.via === "local" ? ["--addr", "local"] : ["--addr", "127.0.0.1", "--tls", ...(c.cert ? ["--cert", c.user] : [])];
  return [
    "hba",
    "explain",
    "--conn",
    url,
    "--user",
    c.user,
    "--db",
    c.db,
    ...where,
    ...(c.replication ? ["--replication"] : []),
    "--format",
    format,
  ];
}

test("explain --conn refuses what the server refuses after the pg_hba line (stored password, NOLOGIN, database), in the server's words", async () => {
  const refusals = CASES.filter((c) => c.refused !== undefined).length;
  assert.ok(refusals >= 10 && CASES.length - refusals >= 7, "both verdicts, many reasons");
  for (const c of CASES) {
    const password = passwords.get(c.user) ?? "no-password-stored";
    const real = await psql(conninfo(c), {
      env: { PGPASSWORD: password },
      ...(c.replication ? { sql: "IDENTIFY_SYSTEM" } : {}),
    });
    assert.equal(
      real.ok,
      c.refused === undefined,
      `${c.title}: psql ${real.ok ? "connected" : `was refused: ${real.stderr}`}`,
    );
    if (c.refused !== undefined)
      assert.match(
        real.stderr,
        new RegExp(`FATAL:  ${c.refused.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
        `${c.title}: the server's words`,
      );

    const explained = await pgwarden(explainArgs(c, "json"));
    const answer = JSON.parse(explained.stdout) as { verdict: string; reason: string; serverMessage?: string };
    assert.equal(
      explained.code,
      real.ok ? 0 : 1,
      `${c.title}: exit ${explained.code}, ${answer.verdict}: ${answer.reason} ${explained.stderr}`,
    );
    assert.equal(answer.verdict, real.ok ? "allowed" : "refused", `${c.title}: ${answer.reason}`);
    if (c.refused !== undefined) assert.equal(answer.serverMessage, c.refused, `${c.title}: ${answer.reason}`);
  }
});

test("explain's text names the reason and what the client is told", async () => {
  const text = async (title: string) => {
    const c = CASES.find((candidate) => candidate.title === title) as Case;
    const result = await pgwarden(explainArgs(c, "text"));
    assert.equal(result.code, 1, result.stderr);
    return result.stdout;
  };
  assert.match(
    await text("an MD5 secret on a scram-sha-256 line"),
    /bob's password is stored as MD5, so scram-sha-256 refuses it.*password authentication failed for user "bob"[\s\S]*verdict: refused/,
  );
  assert.match(
    await text("VALID UNTIL in the past on a scram-sha-256 line"),
    /exp's password expired \(VALID UNTIL 2000-01-01[^)]*\)/,
  );
  assert.match(
    await text("NOLOGIN over local trust"),
    /nl has NOLOGIN: the client is told "role "nl" is not permitted to log in"[\s\S]*verdict: refused/,
  );
  assert.match(
    await text("CONNECT revoked from PUBLIC"),
    /once the right password is sent, the server refuses the login: app has no CONNECT privilege on database nodb/,
  );
});

test("explain FILE (offline) cannot know the role or the database: an MD5 secret on a scram line stays allowed if the password is right", async () => {
  const file = join(work.dir, "pg_hba.conf");
  const result = await pgwarden([
    "hba",
    "explain",
    file,
    "--user",
    "bob",
    "--addr",
    "127.0.0.1",
    "--tls",
    "--no-member-of",
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /scram-sha-256 → allowed, demands a password \(SCRAM-SHA-256\)/);
});

test("explain --conn as a role that may not read pg_authid says the stored password is not checked, and still sees VALID UNTIL", async () => {
  const url = `postgresql://app@localhost/postgres?host=${encodeURIComponent(cluster.socketDir)}&port=${cluster.port}`;
  const bob = await pgwarden([
    "hba",
    "explain",
    "--conn",
    url,
    "--user",
    "bob",
    "--db",
    "postgres",
    "--addr",
    "127.0.0.1",
    "--tls",
  ]);
  assert.match(
    bob.stderr,
    /may not read pg_authid \(superusers only\): whether bob's stored password suits a password line is not checked/,
  );
  assert.equal(bob.code, 0, `${bob.stdout} ${bob.stderr}`);
  const exp = await pgwarden([
    "hba",
    "explain",
    "--conn",
    url,
    "--user",
    "exp",
    "--db",
    "postgres",
    "--addr",
    "127.0.0.1",
    "--tls",
    "--format",
    "json",
  ]);
  assert.equal(exp.code, 1, exp.stderr);
  assert.equal(
    (JSON.parse(exp.stdout) as { serverMessage?: string }).serverMessage,
    'password authentication failed for user "exp"',
  );
});
