/*
 * role plan / role apply against a real PostgreSQL 15 sandbox (TLS, certificate login for the
 * superuser) with log_statement = all and pg_stat_statements loaded: plan, apply, plan again on
 * an empty cluster and on a drifted one; logins with the declared passwords over TLS (SCRAM,
 * node-postgres verifying the server, psql for a password that needs SASLprep); and no
 * plaintext password anywhere: server log, pg_stat_statements, files, pgwarden's output.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import pg from "pg";

import { type CliResult, pgwarden, PGWARDEN_BIN, tempDir } from "./support/cli.js";
import { psql } from "./support/clients.js";
import { runClient } from "./support/pg-cluster.js";
import { startSandbox, type TestSandbox } from "./support/sandbox.js";

interface PlanJson {
  readonly cluster: string;
  readonly database: string;
  readonly applied?: number;
  readonly changes: readonly { kind: string; role?: string; summary: string; sql: string; masksPassword: boolean }[];
}

const token = () => randomBytes(6).toString("hex");

/** Every password of the run: random, so finding one anywhere means it leaked. */
const PASSWORDS = {
  app: `App-${token()}-1`,
  report: `Report-${token()}-2`,
  // U+00AD (mapped to nothing), U+216B ROMAN NUMERAL TWELVE (NFKC: XII), U+FF19 FULLWIDTH NINE (NFKC: 9).
  intl: `Stra\u00dfe\u00ad\u216b-\uff19-${token()}`,
  quoted: `Q'uo"te\\d-${token()}`,
  admin: `Admin-${token()}-3`,
  monitor: `Monitor-${token()}-4`,
  replication: `Repl-${token()}-5`,
  rotated: `Rotated-${token()}-6`,
  handSet: `HandSet-${token()}-7`,
  piped: `Piped-${token()}-8`,
};
/** What libpq's SASLprep makes of PASSWORDS.intl: logging in with it proves the verifier was prepared the same way. */
const INTL_PREPARED = PASSWORDS.intl.replace("\u00ad", "").replace("\u216b", "XII").replace("\uff19", "9");
/** A SCRAM verifier as PostgreSQL stores it. */
const VERIFIER = /SCRAM-SHA-256\$\d+:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}/;
const QUOTED_USER = `o'brien "quoted"`;

const INVENTORY = `all:
  children:
    pg-roles:
      hosts: { 127.0.0.1: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-roles
        pg_users:
          - { name: dbuser_app, password: { env: ROLES_TEST_APP }, login: true, connlimit: 20, roles: [dbrole_readwrite], parameters: { statement_timeout: 30s }, comment: application user }
          - { name: dbuser_report, password: { file: report.pw }, login: true, roles: [dbrole_readonly], expire_in: 30 }
          - { name: dbuser_intl, password: { env: ROLES_TEST_INTL }, roles: [dbrole_readonly] }
          - { name: "o'brien \\"quoted\\"", password: { env: ROLES_TEST_QUOTED }, roles: [dbrole_offline] }
          - { name: dbuser_gone, state: absent }
  vars:
    pg_admin_password: { env: ROLES_TEST_ADMIN }
    pg_monitor_password: { env: ROLES_TEST_MONITOR }
    pg_replication_password: { env: ROLES_TEST_REPL }
`;

let work: { dir: string; cleanup: () => Promise<void> };
let sandbox: TestSandbox;
let pki: string;
let inventory: string;
let conn: string;
const outputs: CliResult[] = [];
const env: Record<string, string> = {
  ROLES_TEST_APP: PASSWORDS.app,
  ROLES_TEST_INTL: PASSWORDS.intl,
  ROLES_TEST_QUOTED: PASSWORDS.quoted,
  ROLES_TEST_ADMIN: PASSWORDS.admin,
  ROLES_TEST_MONITOR: PASSWORDS.monitor,
  ROLES_TEST_REPL: PASSWORDS.replication,
};

async function run(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const result = await pgwarden(args, { env: { ...env, ...extraEnv } });
  outputs.push(result);
  return result;
}

async function role(
  verb: "plan" | "apply",
  extra: readonly string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<PlanJson> {
  const result = await run(
    ["role", verb, "--inventory", inventory, "--cluster", "pg-roles", "--conn", conn, "--format", "json", ...extra],
    extraEnv,
  );
  assert.equal(result.code, 0, `role ${verb}: ${result.stderr}`);
  return JSON.parse(result.stdout) as PlanJson;
}

/** Logs in over TLS with SCRAM as node-postgres does, verifying the server against the CA; the session's user and ssl, or the error. */
async function login(user: string, password: string): Promise<{ user: string; ssl: boolean } | Error> {
  const client = new pg.Client({
    host: "127.0.0.1",
    port: sandbox.port,
    database: "postgres",
    user,
    password,
    ssl: { ca: await readFile(join(pki, "ca", "ca.crt"), "utf8"), rejectUnauthorized: true },
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
    const row = (
      await client.query<{ user: string; ssl: boolean }>(
        "SELECT current_user AS user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
      )
    ).rows[0];
    return row as { user: string; ssl: boolean };
  } catch (error) {
    return error as Error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function assertLogin(user: string, password: string): Promise<void> {
  const session = await login(user, password);
  assert.ok(!(session instanceof Error), `${user} logs in: ${session instanceof Error ? session.message : ""}`);
  assert.deepEqual(session, { user, ssl: true });
}

async function assertRefused(user: string, password: string): Promise<void> {
  const session = await login(user, password);
  assert.ok(session instanceof Error, `${user} must not log in with that password`);
  assert.match(session.message, /password authentication failed/);
}

/** Every regular file under `dir`, for the leak search. */
async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
  }
  return files;
}

before(async () => {
  work = await tempDir("pgwarden-roles-");
  pki = join(work.dir, "pki");
  assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
  sandbox = await startSandbox(pki);
  await sandbox.sql("ALTER SYSTEM SET log_statement = 'all'");
  await sandbox.sql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
  const down = await pgwarden(["sandbox", "down", "--dir", sandbox.dir]);
  assert.equal(down.code, 0, down.stderr);
  await sandbox.restore();
  await sandbox.sql("CREATE EXTENSION pg_stat_statements");
  // The superuser keeps its certificate; every other role signs in with SCRAM, over TLS only.
  const rules = join(work.dir, "pg_hba.conf");
  await writeFile(
    rules,
    "local all postgres peer\nhostssl all postgres 127.0.0.1/32 cert\nhostssl all all 127.0.0.1/32 scram-sha-256\n",
  );
  conn =
    `postgresql://postgres@127.0.0.1:${sandbox.port}/postgres?sslmode=verify-full&sslrootcert=${join(pki, "ca", "ca.crt")}` +
    `&sslcert=${join(pki, "sandbox", "postgres.crt")}&sslkey=${join(pki, "sandbox", "postgres.key")}`;
  const hba = await pgwarden(["hba", "apply", rules, "--conn", conn]);
  assert.equal(hba.code, 0, hba.stderr);
  inventory = join(work.dir, "pigsty.yml");
  await writeFile(inventory, INVENTORY);
  await writeFile(join(work.dir, "report.pw"), `${PASSWORDS.report}\n`, { mode: 0o600 });
});

after(async () => {
  await sandbox?.stop();
  await work?.cleanup();
});

/** A problem as --format json gives it in the error object on stderr. */
interface JsonProblem {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly path?: string;
  readonly severity: string;
  readonly message: string;
  readonly rule?: string;
}

/** The error object a failed command writes on stderr with --format json. */
function jsonError(stderr: string): { code: string; exitCode: number; problems: JsonProblem[] } {
  return (JSON.parse(stderr) as { error: { code: string; exitCode: number; problems: JsonProblem[] } }).error;
}

/** A problem as the text form prints it: `file:line:column: severity: message`. */
const problemLine = (problem: JsonProblem) =>
  `${problem.file}:${problem.line}:${problem.column}: ${problem.severity}: ${problem.message}`;

test("an empty cluster: plan, apply, plan again is empty; the roles, memberships and default privileges are in force", async () => {
  await sandbox.sql("CREATE ROLE dbuser_gone LOGIN");
  const plan = await role("plan");
  const created = plan.changes.filter((change) => change.kind === "create-role").map((change) => change.role);
  assert.deepEqual(created, [
    "dbrole_readonly",
    "dbrole_offline",
    "dbrole_readwrite",
    "dbrole_admin",
    "replicator",
    "dbuser_dba",
    "dbuser_monitor",
    "dbuser_app",
    "dbuser_report",
    "dbuser_intl",
    QUOTED_USER,
  ]);
  assert.deepEqual(
    plan.changes.filter((change) => change.kind === "drop-role").map((change) => change.sql),
    ['DROP ROLE "dbuser_gone"'],
  );
  assert.equal(
    plan.changes.filter((change) => change.kind === "grant-default-privilege").length,
    34,
    "12 statements each FOR ROLE postgres and dbuser_dba, 10 for dbrole_admin",
  );
  assert.equal(plan.changes[plan.changes.length - 1]?.kind, "drop-role", "drops come last");
  assert.ok(
    plan.changes
      .find((change) => change.role === QUOTED_USER)
      ?.sql.startsWith(`CREATE ROLE "o'brien ""quoted""" LOGIN PASSWORD <masked>`),
  );
  for (const change of plan.changes.filter((each) => /PASSWORD/.test(each.sql)))
    assert.match(change.sql, /PASSWORD <masked>$/);
  assert.equal(
    (await sandbox.sql("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'dbrole_%'")).trim(),
    "0",
    "plan changes nothing",
  );

  const applied = await role("apply");
  assert.equal(applied.applied, plan.changes.length);
  assert.deepEqual(
    applied.changes.map((change) => change.sql),
    plan.changes.map((change) => change.sql),
  );
  const again = await role("plan");
  assert.deepEqual(again.changes, [], "a second plan after apply is empty");
  const text = await run(["role", "plan", "--inventory", inventory, "--cluster", "pg-roles", "--conn", conn]);
  assert.equal(text.stdout.trim(), "no changes: the roles of pg-roles (database postgres) match the inventory");

  assert.equal(
    await sandbox.sql(
      "SELECT rolcanlogin, rolconnlimit, rolvaliduntil IS NULL FROM pg_roles WHERE rolname = 'dbuser_app'",
    ),
    "t|20|t",
  );
  assert.equal(
    await sandbox.sql(
      "SELECT (rolvaliduntil AT TIME ZONE 'UTC')::date - (now() AT TIME ZONE 'UTC')::date FROM pg_roles WHERE rolname = 'dbuser_report'",
    ),
    "30",
  );
  assert.equal(
    await sandbox.sql(
      "SELECT rolsuper, rolreplication FROM pg_roles WHERE rolname IN ('dbuser_dba', 'replicator') ORDER BY rolname",
    ),
    "t|f\nf|t",
  );
  assert.equal(await sandbox.sql("SELECT count(*) FROM pg_roles WHERE rolname = 'dbuser_gone'"), "0");
  assert.equal(
    await sandbox.sql(
      "SELECT pg_has_role('dbuser_app', 'dbrole_readonly', 'MEMBER'), pg_has_role('dbuser_report', 'dbrole_readwrite', 'MEMBER')",
    ),
    "t|f",
  );
  assert.equal(
    await sandbox.sql(
      "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting WHERE setrole = 'dbuser_app'::regrole",
    ),
    "statement_timeout=30s",
  );
  assert.equal(await sandbox.sql("SELECT shobj_description('dbuser_app'::regrole, 'pg_authid')"), "application user");
  assert.equal(await sandbox.sql("SELECT has_schema_privilege('public', 'public', 'CREATE')"), "f");
  assert.match(
    await sandbox.sql("SELECT rolpassword FROM pg_authid WHERE rolname = 'dbuser_app'"),
    /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$/,
    "a 16-byte salt, 4096 iterations",
  );
  // The default privileges work: a table the dbsu creates is readable by readonly, writable by readwrite.
  await sandbox.sql("CREATE TABLE roles_default_acl (x int)");
  assert.equal(
    await sandbox.sql(
      "SELECT has_table_privilege('dbrole_readonly', 'roles_default_acl', 'SELECT'), has_table_privilege('dbrole_readonly', 'roles_default_acl', 'INSERT'), has_table_privilege('dbrole_readwrite', 'roles_default_acl', 'INSERT'), has_table_privilege('dbrole_admin', 'roles_default_acl', 'TRUNCATE')",
    ),
    "t|f|t|t",
  );

  await assertLogin("dbuser_app", PASSWORDS.app);
  await assertLogin("dbuser_report", PASSWORDS.report);
  await assertLogin(QUOTED_USER, PASSWORDS.quoted);
  await assertLogin("dbuser_dba", PASSWORDS.admin);
  await assertRefused("dbuser_app", PASSWORDS.report);
});

test("a password that needs SASLprep: libpq (psql) logs in with it and with its prepared form", async () => {
  const ca = join(pki, "ca", "ca.crt");
  const conninfo = `host=127.0.0.1 port=${sandbox.port} dbname=postgres user=dbuser_intl sslmode=verify-full sslrootcert=${ca}`;
  for (const password of [PASSWORDS.intl, INTL_PREPARED]) {
    const session = await psql(conninfo, {
      env: { PGPASSWORD: password },
      sql: "SELECT current_user || ' ' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    });
    assert.ok(session.ok, session.stderr);
    assert.equal(session.stdout, "dbuser_intl true");
  }
  const wrong = await psql(conninfo, { env: { PGPASSWORD: PASSWORDS.intl.replace("\u216b", "\u2169") } });
  assert.equal(wrong.ok, false);
  assert.match(wrong.stderr, /password authentication failed/);
});

test("a drifted cluster: the plan shows exactly what was changed by hand, apply puts it back", async () => {
  await sandbox.sql(
    [
      `ALTER ROLE dbuser_app CONNECTION LIMIT 3 PASSWORD '${PASSWORDS.handSet}'`,
      "ALTER ROLE dbuser_report NOLOGIN",
      "REVOKE dbrole_readwrite FROM dbuser_app",
      "ALTER ROLE dbuser_app SET statement_timeout = '5s'",
      "COMMENT ON ROLE dbrole_offline IS 'changed'",
      "ALTER DEFAULT PRIVILEGES FOR ROLE dbuser_dba REVOKE SELECT ON TABLES FROM dbrole_readonly",
      "GRANT CREATE ON SCHEMA public TO PUBLIC",
    ].join(";\n"),
  );
  const plan = await role("plan");
  assert.deepEqual(
    plan.changes.map((change) => change.summary),
    [
      "alter role dbuser_app: connection limit 3 -> 20, password differs from the stored one",
      "alter role dbuser_report: login no -> yes",
      "dbuser_app: statement_timeout = 30s (was 5s)",
      'dbrole_offline: comment "role for restricted read-only access"',
      "grant dbrole_readwrite to dbuser_app",
      "default privileges of dbuser_dba: grant SELECT on tables to dbrole_readonly",
      "revoke CREATE on schema public from PUBLIC",
    ],
  );
  await assertLogin("dbuser_app", PASSWORDS.handSet);
  await role("apply");
  assert.deepEqual((await role("plan")).changes, []);
  await assertLogin("dbuser_app", PASSWORDS.app);
  await assertRefused("dbuser_app", PASSWORDS.handSet);
  await assertLogin("dbuser_report", PASSWORDS.report);
});

test("a new declared password is one ALTER ROLE, the old one stops working; more iterations re-hash every declared password", async () => {
  const rotate = { ROLES_TEST_APP: PASSWORDS.rotated };
  const plan = await role("plan", [], rotate);
  assert.deepEqual(
    plan.changes.map((change) => [change.kind, change.sql]),
    [["alter-role", `ALTER ROLE "dbuser_app" PASSWORD <masked>`]],
  );
  await role("apply", [], rotate);
  await assertLogin("dbuser_app", PASSWORDS.rotated);
  await assertRefused("dbuser_app", PASSWORDS.app);

  const stronger = await role("plan", ["--scram-iterations", "8192"], rotate);
  assert.deepEqual(
    stronger.changes.map((change) => change.summary),
    ["replicator", "dbuser_dba", "dbuser_monitor", "dbuser_app", "dbuser_report", "dbuser_intl", QUOTED_USER].map(
      (name) => `alter role ${name}: password re-hashed: the stored verifier has 4096 iterations, fewer than 8192`,
    ),
  );
  await role("apply", ["--scram-iterations", "8192"], rotate);
  assert.equal(
    await sandbox.sql(
      "SELECT count(*) FROM pg_authid WHERE split_part(rolpassword, ':', 1) = 'SCRAM-SHA-256' || chr(36) || '8192'",
    ),
    "7",
  );
  assert.deepEqual((await role("plan", ["--scram-iterations", "8192"], rotate)).changes, []);
  assert.deepEqual((await role("plan", [], rotate)).changes, [], "verifiers with more iterations than asked are kept");
  await assertLogin("dbuser_app", PASSWORDS.rotated);
});

test("the printed plan is not a script where it sets a password: psql -f fails there and changes nothing; the apply line it prints does the job", async () => {
  const piped = { ROLES_TEST_APP: PASSWORDS.piped };
  // Drift on both sides of the password statement: the transaction must keep all of it from taking effect.
  await sandbox.sql("ALTER ROLE dbuser_dba NOSUPERUSER; COMMENT ON ROLE dbrole_offline IS 'changed by hand'");
  const verifierOf = (name: string) => sandbox.sql(`SELECT rolpassword FROM pg_authid WHERE rolname = '${name}'`);
  const before = await verifierOf("dbuser_app");
  const state = () =>
    sandbox.sql(
      "SELECT rolsuper::text FROM pg_roles WHERE rolname = 'dbuser_dba' UNION ALL SELECT shobj_description('dbrole_offline'::regrole, 'pg_authid')",
    );
  assert.equal(await state(), "false\nchanged by hand");

  const printed = await run(["role", "plan", "--inventory", inventory, "--cluster", "pg-roles", "--conn", conn], piped);
  assert.equal(printed.code, 0, printed.stderr);
  const lines = printed.stdout.trimEnd().split("\n");
  assert.deepEqual(lines.slice(-5), [
    "BEGIN;",
    'ALTER ROLE "dbuser_dba" SUPERUSER;',
    'ALTER ROLE "dbuser_app" PASSWORD <masked>;',
    `COMMENT ON ROLE "dbrole_offline" IS 'role for restricted read-only access';`,
    "COMMIT;",
  ]);
  assert.match(printed.stdout, /^-- Not a script: passwords show as <masked>, which is not SQL/m);
  const applyLine = /^-- Apply it with: (pgwarden role apply .*)$/m.exec(printed.stdout)?.[1];
  assert.equal(applyLine, `pgwarden role apply --inventory ${inventory} --cluster pg-roles --conn "${conn}"`);
  const json = await role("plan", [], piped);
  assert.deepEqual(
    json.changes.map((change) => [change.sql, change.masksPassword]),
    [
      ['ALTER ROLE "dbuser_dba" SUPERUSER', false],
      ['ALTER ROLE "dbuser_app" PASSWORD <masked>', true],
      [`COMMENT ON ROLE "dbrole_offline" IS 'role for restricted read-only access'`, false],
    ],
  );

  const script = join(work.dir, "plan.sql");
  await writeFile(script, printed.stdout);
  const superuser =
    `host=localhost port=${sandbox.port} dbname=postgres user=postgres sslmode=verify-full sslrootcert=${join(pki, "ca", "ca.crt")}` +
    ` sslcert=${join(pki, "sandbox", "postgres.crt")} sslkey=${join(pki, "sandbox", "postgres.key")}`;
  const passwordLine = lines.indexOf('ALTER ROLE "dbuser_app" PASSWORD <masked>;') + 1;
  // These runs stay out of the server log, whose check below looks for pgwarden's own statements.
  const quiet = { PGOPTIONS: "-c log_statement=none -c log_min_error_statement=panic" };
  const stopped = await runClient("psql", ["-X", "-v", "ON_ERROR_STOP=1", "-d", superuser, "-f", script], {
    env: quiet,
  });
  assert.equal(stopped.code, 3, "psql stops at the error");
  assert.match(
    stopped.stderr,
    new RegExp(
      `^psql:${script.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${passwordLine}: ERROR:  syntax error at or near "<"$`,
      "m",
    ),
  );
  const carriedOn = await runClient("psql", ["-X", "-d", superuser, "-f", script], { env: quiet });
  assert.match(carriedOn.stderr, /syntax error at or near "<"/);
  assert.match(
    carriedOn.stderr,
    /current transaction is aborted/,
    "without ON_ERROR_STOP the rest runs in the aborted transaction",
  );
  assert.match(carriedOn.stdout, /^ROLLBACK$/m, "and COMMIT rolls it back");
  assert.equal(await verifierOf("dbuser_app"), before, "no password was set");
  assert.equal(await state(), "false\nchanged by hand", "neither the statement before nor the one after took effect");
  for (const marker of ["<masked>", "********"]) await assertRefused("dbuser_app", marker);
  await assertLogin("dbuser_app", PASSWORDS.rotated);

  // The line the plan prints, run by a shell as a person would paste it.
  const shell = `pgwarden() { "${process.execPath}" "${PGWARDEN_BIN}" "$@"; }\n${applyLine ?? "false"}`;
  const pasted = await runClient("bash", ["-c", shell], { env: { ...env, ...piped } });
  outputs.push({ code: pasted.code, stdout: pasted.stdout, stderr: pasted.stderr });
  assert.equal(pasted.code, 0, pasted.stderr);
  assert.deepEqual((await role("plan", [], piped)).changes, []);
  await assertLogin("dbuser_app", PASSWORDS.piped);
  assert.equal(await state(), "true\nrole for restricted read-only access");
  // Back to the password the later tests log in with.
  await role("apply", [], { ROLES_TEST_APP: PASSWORDS.rotated });
  await assertLogin("dbuser_app", PASSWORDS.rotated);
});

test("refusals: a weak password before any connection (exit 3), a role that owns objects, a statement the server refuses (all rolled back), a non-superuser (exit 6)", async () => {
  const weak = await run(
    [
      "role",
      "plan",
      "--inventory",
      inventory,
      "--cluster",
      "pg-roles",
      "--conn",
      "postgresql://postgres@127.0.0.1:1/postgres",
    ],
    { ROLES_TEST_APP: "short1" },
  );
  assert.equal(weak.code, 3, weak.stderr);
  assert.equal(weak.stderr.trim().split("\n").length, 1);
  assert.match(
    weak.stderr,
    /pigsty\.yml:\d+: dbuser_app: password from pg_users \(env ROLES_TEST_APP\) is shorter than 8 characters \(rule too-short\)/,
  );
  assert.ok(!weak.stderr.includes("short1"));

  await sandbox.sql(
    "CREATE ROLE dbuser_owner; CREATE TABLE roles_owned (x int); ALTER TABLE roles_owned OWNER TO dbuser_owner",
  );
  const withOwner = join(work.dir, "owner.yml");
  await writeFile(
    withOwner,
    INVENTORY.replace("- { name: dbuser_gone, state: absent }", "- { name: dbuser_owner, state: absent }"),
  );
  const refused = await run(["role", "plan", "--inventory", withOwner, "--cluster", "pg-roles", "--conn", conn]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(
    refused.stderr,
    /owner\.yml:\d+: dbuser_owner: state: absent, but pgwarden will not drop it: it owns 1 object in database postgres: reassign or drop those first/,
  );

  const broken = join(work.dir, "broken.yml");
  await writeFile(
    broken,
    INVENTORY.replace(
      "- { name: dbuser_gone, state: absent }",
      "- { name: dbuser_new, password: { env: ROLES_TEST_APP }, parameters: { no_such_setting: 1 } }",
    ),
  );
  const rolledBack = await run(["role", "apply", "--inventory", broken, "--cluster", "pg-roles", "--conn", conn], {
    ROLES_TEST_APP: PASSWORDS.rotated,
  });
  assert.equal(rolledBack.code, 3, rolledBack.stderr);
  assert.match(
    rolledBack.stderr,
    /role apply failed at ALTER ROLE "dbuser_new" SET "no_such_setting" = '1': unrecognized configuration parameter "no_such_setting"; nothing was changed \(the transaction was rolled back\)/,
  );
  assert.equal(rolledBack.stdout, "");
  assert.equal(
    await sandbox.sql("SELECT count(*) FROM pg_roles WHERE rolname = 'dbuser_new'"),
    "0",
    "the CREATE ROLE before it was rolled back",
  );

  const asApp = await run(
    [
      "role",
      "plan",
      "--inventory",
      inventory,
      "--cluster",
      "pg-roles",
      "--conn",
      `postgresql://dbuser_app@127.0.0.1:${sandbox.port}/postgres?sslmode=verify-full&sslrootcert=${join(pki, "ca", "ca.crt")}`,
    ],
    {
      ROLES_TEST_APP: PASSWORDS.rotated,
      PGPASSWORD: PASSWORDS.rotated,
    },
  );
  assert.equal(asApp.code, 6, asApp.stderr);
  assert.match(asApp.stderr, /dbuser_app is not a superuser/);
});

/** An inventory with several policy problems: weak pg_users passwords, a published one in all.vars, and two system passwords left to Pigsty's defaults. */
const PROBLEMS_INVENTORY = `all:
  children:
    pg-roles:
      hosts: { 127.0.0.1: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-roles
        pg_users:
          - { name: dbuser_short, password: short1, roles: [dbrole_readonly] }
          - name: dbuser_listed
            roles: [dbrole_readonly]
            password: Password1!
          - { name: dbuser_fine, password: { env: ROLES_TEST_APP } }
  vars:
    pg_monitor_password: DBUser.Monitor
`;

test("role plan lists every policy problem, one a line, file:line:column: error: message at the inventory's own lines; Pigsty's defaults at the cluster's entry", async () => {
  const file = join(work.dir, "problems.yml");
  await writeFile(file, PROBLEMS_INVENTORY);
  const lines = PROBLEMS_INVENTORY.split("\n");
  /** The 1-based line and column where `needle` starts in the fixture. */
  const at = (needle: string) => {
    const index = lines.findIndex((line) => line.includes(needle));
    assert.ok(index >= 0, needle);
    return `${file}:${index + 1}:${(lines[index] as string).indexOf(needle) + 1}`;
  };
  const before = await sandbox.sql("SELECT count(*) FROM pg_roles");
  const result = await run(["role", "plan", "--inventory", file, "--cluster", "pg-roles", "--conn", conn], {
    ROLES_TEST_APP: PASSWORDS.rotated,
  });
  assert.equal(result.code, 3, result.stderr);
  assert.equal(result.stdout, "");
  const cluster = at("pg-roles:");
  const defaultNote = "(not set for pg-roles: Pigsty's default from roles/pgsql/defaults/main.yml)";
  assert.deepEqual(result.stderr.split("\n"), [
    `${cluster}: error: replicator: password from pg_replication_password ${defaultNote} is Pigsty's published default for pg_replication_password: set pg_replication_password in all.vars or in pg-roles's vars (rule vendor-default)`,
    `${cluster}: error: replicator: password from pg_replication_password ${defaultNote} contains the role name (rule contains-role-name)`,
    `${cluster}: error: dbuser_dba: password from pg_admin_password ${defaultNote} is Pigsty's published default for pg_admin_password: set pg_admin_password in all.vars or in pg-roles's vars (rule vendor-default)`,
    `${at("password: short1")}: error: dbuser_short: password from pg_users is shorter than 8 characters (rule too-short)`,
    `${at("password: Password1!")}: error: dbuser_listed: password from pg_users is on the denylist of known or default passwords (rule denylisted)`,
    `${at("pg_monitor_password")}: error: dbuser_monitor: password from pg_monitor_password is Pigsty's published default for pg_monitor_password: set a password of your own (rule vendor-default)`,
    `pgwarden: error: 6 password policy problems in ${file}: nothing was sent to a server; set passwords that pass, then run again`,
    "",
  ]);
  assert.ok(
    !result.stderr.includes("pgsql/defaults/main.yml (") && !/main\.yml:\d/.test(result.stderr),
    "no place in a file the person cannot open",
  );
  for (const weak of ["short1", "Password1!", "DBUser.Monitor", "DBUser.DBA", "DBUser.Replicator"])
    assert.ok(!result.stderr.includes(weak), `${weak} is not printed`);
  assert.equal(await sandbox.sql("SELECT count(*) FROM pg_roles"), before, "nothing reached the server");

  const json = await run(
    ["role", "plan", "--inventory", file, "--cluster", "pg-roles", "--conn", conn, "--format", "json"],
    { ROLES_TEST_APP: PASSWORDS.rotated },
  );
  assert.equal(json.code, 3, json.stderr);
  assert.equal(json.stdout, "", "an error is not a document on stdout");
  const document = jsonError(json.stderr);
  assert.equal(document.exitCode, 3);
  assert.deepEqual(
    document.problems.map(problemLine),
    result.stderr.split("\n").slice(0, 6),
    "the same problems, with the same places",
  );
  assert.deepEqual(
    document.problems.map((problem) => [problem.path, problem.rule]),
    [
      ["all.children.pg-roles", "vendor-default"],
      ["all.children.pg-roles", "contains-role-name"],
      ["all.children.pg-roles", "vendor-default"],
      ["all.children.pg-roles.vars.pg_users[0].password", "too-short"],
      ["all.children.pg-roles.vars.pg_users[1].password", "denylisted"],
      ["all.vars.pg_monitor_password", "vendor-default"],
    ],
  );
  for (const weak of ["short1", "Password1!", "DBUser.Monitor"])
    assert.ok(!json.stdout.includes(weak), `${weak} is not in the JSON`);
});

/** pg_users naming u1 twice (a weak password, then a strong one) and redeclaring dbuser_monitor, one of Pigsty's default roles. */
const DUPLICATES_INVENTORY = `all:
  children:
    pg-roles:
      hosts: { 127.0.0.1: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-roles
        pg_users:
          - { name: u1, password: u1 }
          - { name: u2, password: { env: ROLES_TEST_APP } }
          - { name: u1, password: "Str0ng-Passw0rd-xyz" }
          - { name: dbuser_monitor, comment: monitoring }
  vars:
    pg_admin_password: { env: ROLES_TEST_ADMIN }
    pg_monitor_password: { env: ROLES_TEST_MONITOR }
    pg_replication_password: { env: ROLES_TEST_REPL }
`;

/**
 * `at(needle)`: the file:line:column where `needle` starts in `text`, written to `file`;
 * `lineOf(needle)`: `line L:C`, as a message names a place in the same file.
 */
function placesIn(text: string, file: string): { at: (needle: string) => string; lineOf: (needle: string) => string } {
  const lines = text.split("\n");
  const position = (needle: string) => {
    const index = lines.findIndex((line) => line.includes(needle));
    assert.ok(index >= 0, needle);
    return `${index + 1}:${(lines[index] as string).indexOf(needle) + 1}`;
  };
  return { at: (needle) => `${file}:${position(needle)}`, lineOf: (needle) => `line ${position(needle)}` };
}

test("role plan: a user named twice in pg_users is an error at both entries and hides neither password; a default role redeclared is a warning at both places", async () => {
  // The policy check comes before connecting: nothing listens on port 1.
  const plan = (inventoryFile: string, extra: readonly string[] = []) =>
    run(
      [
        "role",
        "plan",
        "--inventory",
        inventoryFile,
        "--cluster",
        "pg-roles",
        "--conn",
        "host=127.0.0.1 port=1 user=postgres",
        ...extra,
      ],
      { ROLES_TEST_APP: PASSWORDS.rotated },
    );
  const once =
    "declare each role once; Pigsty's pgsql.yml applies every entry in turn (the last password wins) but bin/pgsql-user applies only the first (rule duplicate-role)";
  const override =
    "Pigsty creates pg_default_roles first, then pg_users, so what the pg_users entry states overrides it (rule overrides-default-role)";
  /** The lines role plan prints for `text`'s weak u1 password and its redeclared dbuser_monitor, in `file`. */
  const expected = (text: string, file: string) => {
    const { at, lineOf } = placesIn(text, file);
    return {
      weak: text.includes("password: u1")
        ? [
            `${at("password: u1")}: error: u1: password from pg_users is shorter than 8 characters (rule too-short)`,
            `${at("password: u1")}: error: u1: password from pg_users contains the role name (rule contains-role-name)`,
          ]
        : [],
      defaultRole: `${at("pg-roles:")}: warning: dbuser_monitor of Pigsty's default pg_default_roles (not set for pg-roles: roles/pgsql/defaults/main.yml) is declared again in pg_users at ${lineOf("{ name: dbuser_monitor")}: ${override}`,
      redeclared: `${at("{ name: dbuser_monitor")}: warning: pg_users dbuser_monitor is also declared in Pigsty's default pg_default_roles (roles/pgsql/defaults/main.yml): ${override}`,
    };
  };

  const file = join(work.dir, "duplicates.yml");
  await writeFile(file, DUPLICATES_INVENTORY);
  const { at, lineOf } = placesIn(DUPLICATES_INVENTORY, file);
  const { weak, defaultRole, redeclared } = expected(DUPLICATES_INVENTORY, file);
  const result = await plan(file);
  assert.equal(result.code, 3, result.stderr);
  assert.equal(result.stdout, "");
  assert.deepEqual(result.stderr.split("\n"), [
    defaultRole,
    `${at("{ name: u1, password: u1 }")}: error: pg_users u1 is also declared at ${lineOf('{ name: u1, password: "Str0ng')}: ${once}`,
    ...weak,
    `${at('{ name: u1, password: "Str0ng')}: error: pg_users u1 is also declared at ${lineOf("{ name: u1, password: u1 }")}: ${once}`,
    redeclared,
    `pgwarden: error: 6 problems with the declared roles and their passwords in ${file}: nothing was sent to a server; declare each role once and set passwords that pass, then run again`,
    "",
  ]);

  const json = await plan(file, ["--format", "json"]);
  assert.equal(json.code, 3, json.stderr);
  const document = jsonError(json.stderr);
  assert.equal(document.code, "invalid-role-model");
  assert.deepEqual(
    document.problems.map(problemLine),
    result.stderr.split("\n").slice(0, 6),
    "the same problems, with the same places",
  );
  assert.deepEqual(
    document.problems.map((problem) => [problem.path, problem.rule]),
    [
      ["all.children.pg-roles", "overrides-default-role"],
      ["all.children.pg-roles.vars.pg_users[0]", "duplicate-role"],
      ["all.children.pg-roles.vars.pg_users[0].password", "too-short"],
      ["all.children.pg-roles.vars.pg_users[0].password", "contains-role-name"],
      ["all.children.pg-roles.vars.pg_users[2]", "duplicate-role"],
      ["all.children.pg-roles.vars.pg_users[3]", "overrides-default-role"],
    ],
  );
  assert.ok(
    !result.stderr.includes("Str0ng-Passw0rd-xyz") && !json.stderr.includes("Str0ng-Passw0rd-xyz"),
    "no password is printed",
  );

  // Without the second u1: the same password problems, the warnings still given.
  const singleText = DUPLICATES_INVENTORY.replace(/ {10}- \{ name: u1, password: "Str0ng-Passw0rd-xyz" \}\n/, "");
  const single = join(work.dir, "single.yml");
  await writeFile(single, singleText);
  const alone = await plan(single);
  assert.equal(alone.code, 3, alone.stderr);
  const singleLines = expected(singleText, single);
  assert.deepEqual(alone.stderr.split("\n").slice(0, 4), [
    singleLines.defaultRole,
    ...singleLines.weak,
    singleLines.redeclared,
  ]);

  // Only the override: warnings, no refusal; role plan goes on to connect (and fails there, on port 1).
  const overridingText = DUPLICATES_INVENTORY.replace(/ {10}- \{ name: u1, .*\n/g, "");
  const overriding = join(work.dir, "overriding.yml");
  await writeFile(overriding, overridingText);
  const warned = await plan(overriding);
  assert.equal(warned.code, 5, warned.stderr);
  const warnedLines = expected(overridingText, overriding);
  assert.deepEqual(
    warned.stderr.split("\n").slice(0, 2),
    [warnedLines.redeclared, warnedLines.defaultRole].map(
      (line) => `pgwarden: warning: ${line.replace(": warning: ", ": ")}`,
    ),
  );
  assert.match(warned.stderr.split("\n")[2] ?? "", /cannot connect with --conn/);
});

test("lockouts: changes that would lock out the bootstrap superuser or the connected role are refused (exit 1, nothing changed) unless --force", async () => {
  const opsPassword = `Ops-${token()}-9`;
  const jumpPassword = `Jump-${token()}-10`;
  const lockEnv = { ROLES_TEST_APP: PASSWORDS.rotated, ROLES_TEST_OPS: opsPassword, ROLES_TEST_JUMP: jumpPassword };
  // dbuser_ops: a throwaway login superuser; dbuser_jump: a login role that becomes dbuser_dba by SET ROLE.
  const base = [
    "- { name: dbuser_ops, password: { env: ROLES_TEST_OPS }, superuser: true }",
    "- { name: dbuser_jump, password: { env: ROLES_TEST_JUMP }, roles: [dbuser_dba] }",
  ];
  let count = 0;
  const nameOf = (line: string) => /name: (\w+)/.exec(line)?.[1];
  // An entry for dbuser_ops or dbuser_jump takes the place of its base entry: pg_users names each role once.
  const inventoryWith = async (...users: string[]) => {
    const file = join(work.dir, `lockout-${++count}.yml`);
    const named = new Set(users.map(nameOf));
    const lines = [...base.filter((line) => !named.has(nameOf(line))), ...users]
      .map((line) => `          ${line}`)
      .join("\n");
    await writeFile(
      file,
      INVENTORY.replace(
        "          - { name: dbuser_gone, state: absent }",
        `          - { name: dbuser_gone, state: absent }\n${lines}`,
      ),
    );
    return file;
  };
  const tls = `sslmode=verify-full&sslrootcert=${join(pki, "ca", "ca.crt")}`;
  const asOps = `postgresql://dbuser_ops@127.0.0.1:${sandbox.port}/postgres?${tls}`;
  const asJump = `postgresql://dbuser_jump@127.0.0.1:${sandbox.port}/postgres?${tls}&options=-c%20role%3Ddbuser_dba`;
  const roleRun = (
    verb: "plan" | "apply",
    file: string,
    connUrl: string,
    extra: readonly string[] = [],
    password?: string,
  ) =>
    run(["role", verb, "--inventory", file, "--cluster", "pg-roles", "--conn", connUrl, ...extra], {
      ...lockEnv,
      ...(password ? { PGPASSWORD: password } : {}),
    });
  const authid = (name: string) =>
    sandbox.sql(
      `SELECT rolcanlogin, rolsuper, coalesce(rolvaliduntil::text, 'never'), rolconnlimit FROM pg_authid WHERE rolname = '${name}'`,
    );
  const setup = await roleRun("apply", await inventoryWith(), conn);
  assert.equal(setup.code, 0, setup.stderr);

  // The bootstrap superuser, connected as it (certificate login): each change refused, pg_authid unchanged.
  const postgresBefore = await authid("postgres");
  assert.equal(postgresBefore, "t|t|never|-1");
  const cases: [string, RegExp][] = [
    [
      "- { name: postgres, login: false }",
      /ALTER ROLE "postgres" NOLOGIN \(postgres is the bootstrap superuser \(oid 10\) and the role pgwarden is connected as: NOLOGIN/,
    ],
    [
      "- { name: postgres, superuser: false }",
      /ALTER ROLE "postgres" NOSUPERUSER \(postgres is .*NOSUPERUSER: it would no longer be a superuser/,
    ],
    [
      "- { name: postgres, expire_at: '2000-01-01' }",
      /ALTER ROLE "postgres" VALID UNTIL '2000-01-01 00:00:00\+00' \(.*VALID UNTIL 2000-01-01, not a day ahead/,
    ],
    [
      "- { name: postgres, superuser: false, connlimit: 0 }",
      /NOSUPERUSER CONNECTION LIMIT 0 \(.*NOSUPERUSER.*; CONNECTION LIMIT 0: no session could log in as it/,
    ],
  ];
  for (const [user, pattern] of cases) {
    const file = await inventoryWith(user);
    const refused = await roleRun("apply", file, conn);
    assert.equal(refused.code, 1, `${user}: ${refused.stderr}`);
    assert.match(refused.stderr, pattern, user);
    assert.match(
      refused.stderr,
      /other login superusers remain: .*dbuser_dba.*; nothing was changed; rerun with --force/,
      user,
    );
    // postgres redeclared in pg_users over Pigsty's default role: the two warnings that says so, then the refusal.
    const others = refused.stderr
      .trim()
      .split("\n")
      .filter((line) => !line.endsWith("(rule overrides-default-role)"));
    assert.equal(others.length, 1, refused.stderr);
    assert.equal(refused.stdout, "");
    assert.equal(await authid("postgres"), postgresBefore, `${user}: postgres unchanged`);
    const text = await roleRun("plan", file, conn);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^-- WARNING: ALTER ROLE "postgres" .* locks operators out: postgres is the bootstrap superuser .*; role apply refuses it without --force$/m,
      user,
    );
    const json = JSON.parse((await roleRun("plan", file, conn, ["--format", "json"])).stdout) as PlanJson;
    const marked = json.changes.filter((change) => (change as { locksOut?: string }).locksOut !== undefined);
    assert.deepEqual(
      marked.map((change) => change.role),
      ["postgres"],
      user,
    );
  }
  // PostgreSQL does not apply a connection limit to superusers: CONNECTION LIMIT 0 on postgres alone locks nobody out.
  const limited = await roleRun("apply", await inventoryWith("- { name: postgres, connlimit: 0 }"), conn);
  assert.equal(limited.code, 0, limited.stderr);
  assert.equal(await authid("postgres"), "t|t|never|0", "applied, and postgres still logs in (this query)");
  assert.equal((await roleRun("apply", await inventoryWith("- { name: postgres, connlimit: -1 }"), conn)).code, 0);

  // --force runs it: postgres loses LOGIN and its certificate login is refused; dbuser_ops (a second superuser) restores it.
  const forced = await roleRun("apply", await inventoryWith("- { name: postgres, login: false }"), conn, ["--force"]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /ALTER ROLE "postgres" NOLOGIN;/);
  assert.match(forced.stderr, /locks operators out: postgres is the bootstrap superuser/);
  const locked = await roleRun("plan", await inventoryWith(), conn);
  assert.equal(locked.code, 5, locked.stderr);
  assert.match(locked.stderr, /role "postgres" is not permitted to log in/);
  const restored = await roleRun(
    "apply",
    await inventoryWith("- { name: postgres, login: true }"),
    asOps,
    [],
    opsPassword,
  );
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(await authid("postgres"), postgresBefore);

  // The connected role that is not the bootstrap superuser: refused although postgres remains a login superuser.
  const opsBefore = await authid("dbuser_ops");
  for (const user of ["- { name: dbuser_ops, login: false }", "- { name: dbuser_ops, superuser: false }"]) {
    const refused = await roleRun("apply", await inventoryWith(user), asOps, [], opsPassword);
    assert.equal(refused.code, 1, `${user}: ${refused.stderr}`);
    assert.match(
      refused.stderr,
      /dbuser_ops is the role pgwarden is connected as: .*other login superusers remain: .*postgres.*pgwarden's own session/,
    );
    assert.equal(await authid("dbuser_ops"), opsBefore, `${user}: dbuser_ops unchanged`);
  }
  const forcedOps = await roleRun(
    "apply",
    await inventoryWith("- { name: dbuser_ops, login: false }"),
    asOps,
    ["--force"],
    opsPassword,
  );
  assert.equal(forcedOps.code, 0, forcedOps.stderr);
  assert.equal(await authid("dbuser_ops"), opsBefore.replace(/^t\|/, "f|"));

  // Logged in as dbuser_jump, running as dbuser_dba (SET ROLE through --conn's options): the session user's
  // CONNECTION LIMIT 0 (it is no superuser) and revoking the membership that makes it dbuser_dba are refused.
  const jumpState = () =>
    sandbox.sql(
      "SELECT rolconnlimit, pg_has_role('dbuser_jump', 'dbuser_dba', 'MEMBER') FROM pg_roles WHERE rolname = 'dbuser_jump'",
    );
  const jumpBefore = await jumpState();
  assert.equal(jumpBefore, "-1|t");
  for (const [user, pattern] of [
    [
      "- { name: dbuser_jump, connlimit: 0 }",
      /ALTER ROLE "dbuser_jump" CONNECTION LIMIT 0 \(dbuser_jump is the role pgwarden is connected as: CONNECTION LIMIT 0/,
    ],
    [
      "- { name: dbuser_jump, roles: [{ name: dbuser_dba, state: revoke }] }",
      /REVOKE "dbuser_dba" FROM "dbuser_jump" \(dbuser_jump is the role pgwarden logged in as and becomes dbuser_dba through this membership/,
    ],
  ] as const) {
    const refused = await roleRun("apply", await inventoryWith(user), asJump, [], jumpPassword);
    assert.equal(refused.code, 1, `${user}: ${refused.stderr}`);
    assert.match(refused.stderr, pattern);
    assert.equal(await jumpState(), jumpBefore, user);
  }
  await sandbox.sql("DROP ROLE dbuser_ops; DROP ROLE dbuser_jump");
});

test("bad input and an unreachable server: one line on stderr, the right exit code, nothing on stdout", async () => {
  const base = [
    "role",
    "plan",
    "--inventory",
    inventory,
    "--cluster",
    "pg-roles",
    "--conn",
    "postgresql://postgres@127.0.0.1:1/postgres",
  ];
  const cases: [readonly string[], Record<string, string>, number, RegExp][] = [
    [[...base, "--scram-iterations", "1000"], {}, 2, /--scram-iterations must be a whole number from 4096 to/],
    [[...base, "--min-length", "6"], {}, 2, /--min-length must be a whole number from 8 to 1024/],
    [[...base, "--require-classes", "lower,emoji"], {}, 2, /--require-classes takes lower, upper, digit, symbol/],
    [[...base, "--denylist", join(work.dir, "no-such-list.txt")], {}, 4, /denylist .*no-such-list\.txt does not exist/],
    [
      [
        "role",
        "plan",
        "--inventory",
        inventory,
        "--cluster",
        "pg-roles",
        "--conn",
        "postgresql://postgres:secret@127.0.0.1:1/postgres",
      ],
      {},
      2,
      /--conn must not contain a password/,
    ],
    [[...base], { ROLES_TEST_INTL: "" }, 3, /pigsty\.yml:\d+: pg_users dbuser_intl: password: the password is empty/],
    [
      ["role", "plan", "--inventory", join(work.dir, "missing.yml"), "--cluster", "pg-roles", "--conn", conn],
      {},
      4,
      /inventory .*missing\.yml does not exist/,
    ],
    [["role", "plan", "--inventory", inventory, "--cluster", "pg-nope", "--conn", conn], {}, 4, /no cluster "pg-nope"/],
    // No --conn: PG* variables and libpq's defaults, as psql with no arguments (here a port nothing listens on).
    [
      ["role", "apply", "--inventory", inventory, "--cluster", "pg-roles"],
      { PGHOST: "127.0.0.1", PGPORT: "1" },
      5,
      /cannot connect \(PG\* environment and libpq defaults, no --conn\)/,
    ],
    [[...base], { ROLES_TEST_APP: PASSWORDS.rotated }, 5, /cannot connect with --conn/],
  ];
  const denylist = join(work.dir, "denylist.txt");
  await writeFile(denylist, `${PASSWORDS.rotated.toUpperCase()}\n`);
  cases.push([
    [...base, "--denylist", denylist],
    { ROLES_TEST_APP: PASSWORDS.rotated },
    3,
    /dbuser_app: password from pg_users \(env ROLES_TEST_APP\) is on the denylist/,
  ]);
  for (const [args, extraEnv, code, pattern] of cases) {
    const result = await run(args, { ROLES_TEST_APP: PASSWORDS.rotated, ...extraEnv });
    assert.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.equal(result.stdout, "");
  }
});

test("no plaintext password in the server log, pg_stat_statements, any file, or pgwarden's output", async () => {
  // The search means something: the server logged and pg_stat_statements recorded utility statements.
  await sandbox.sql("CREATE ROLE roles_canary NOLOGIN");
  const log = await sandbox.log();
  assert.match(log, /statement: CREATE ROLE roles_canary NOLOGIN/, "log_statement = all is in force");
  const statements = await sandbox.sql("SELECT query FROM pg_stat_statements");
  assert.match(statements, /CREATE ROLE roles_canary NOLOGIN/, "pg_stat_statements records utility statements");
  assert.match(log, /statement: BEGIN/, "pgwarden's own transaction was logged up to the quiet settings");

  const everything = [...Object.values(PASSWORDS).filter((password) => password !== PASSWORDS.handSet)];
  for (const password of everything) {
    assert.ok(!log.includes(password), "a password in the server log");
    assert.ok(!statements.includes(password), "a password in pg_stat_statements");
  }
  assert.ok(!VERIFIER.test(log), "no verifier in the server log either");
  assert.ok(!VERIFIER.test(statements), "no verifier in pg_stat_statements either");
  assert.ok(
    !/CREATE ROLE "dbuser_app"|ALTER ROLE "dbuser_app"/.test(log + statements),
    "pgwarden's role statements were not recorded at all",
  );

  // The test's own inputs: the password file the inventory points to, and a denylist holding a variant of one.
  const inputs = new Set([join(work.dir, "report.pw"), join(work.dir, "denylist.txt")]);
  const files = [...(await filesUnder(work.dir)), ...(await filesUnder(sandbox.dir))].filter(
    (file) => !inputs.has(file),
  );
  assert.ok(
    files.some((file) => file.endsWith("postgres.log")) && files.some((file) => /pg_wal\/[0-9A-F]{24}$/.test(file)),
    "the search covers the server log and WAL",
  );
  for (const file of files) {
    const bytes = await readFile(file);
    for (const password of everything)
      assert.ok(!bytes.includes(Buffer.from(password, "utf8")), `a plaintext password in ${file}`);
  }
  assert.ok(outputs.length >= 8);
  for (const output of outputs) {
    for (const password of everything)
      assert.ok(
        !output.stdout.includes(password) && !output.stderr.includes(password),
        "a password in pgwarden's output",
      );
    assert.ok(!VERIFIER.test(output.stdout + output.stderr), "a verifier in pgwarden's output");
  }
});
