/*
 * End-to-end proof that the pgbouncer lines of `pgwarden pg tls --print pgbouncer` work with a REAL pgbouncer
 * in front of a REAL PostgreSQL, every certificate made by the `pgwarden` CLI:
 *
 *   psql --(TLS, verify-full, client cert app_user)--> pgbouncer --(TLS, verify-full, its own
 *   client cert app_user)--> PostgreSQL (hostssl ... cert)
 *
 * pgbouncer's TLS lines are the snippet's, verbatim, with its files in a directory whose name
 * holds a space, a quote and `#` (pgbouncer.ini takes values to the end of the line, unquoted).
 * A client certificate from a second CA is refused in the TLS handshake.
 */
import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { renderTlsSnippet } from "../src/pg/tls-snippets.js";
import { type CliResult, pgwarden, tempDir } from "./support/cli.js";
import { type ClientResult, makeTempDir, runClient } from "./support/pg-cluster.js";
import { installFile, type Pgbouncer, startPgbouncer } from "./support/pgbouncer.js";
import { startSandbox, type TestSandbox } from "./support/sandbox.js";

const PSQL = "/usr/bin/psql";
const PSQL_ENV = { PGCONNECT_TIMEOUT: "10" };
const ROLE = "app_user";
/** The name clients ask pgbouncer for; it forwards to the cluster's `postgres` database. */
const POOLED_DB = "appdb";
/** pgbouncer's TLS files live here, under its own directory: a path only an unquoted INI value keeps whole. */
const TLS_SUBDIR = "tls files #1 'pgb'";
const WHOAMI_SQL =
  "select current_user, current_database(), s.ssl, s.client_dn, s.client_serial from pg_stat_ssl s where s.pid = pg_backend_pid()";

interface Issued {
  certPath: string;
  keyPath: string;
  serial: string;
}

function show(r: CliResult | ClientResult): string {
  return `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

async function cli(args: string[]): Promise<CliResult> {
  const r = await pgwarden(args);
  assert.equal(r.code, 0, `pgwarden ${args.join(" ")} failed: ${show(r)}`);
  return r;
}

async function issue(pki: string, profile: "server" | "client", cn: string, extra: string[] = []): Promise<Issued> {
  const r = await cli(["--format", "json", "cert", "issue", "--pki", pki, "--profile", profile, "--cn", cn, ...extra]);
  const parsed = (JSON.parse(r.stdout) as { issued: Record<string, unknown>[] }).issued[0] ?? {};
  const { certPath, keyPath, serial } = parsed;
  assert.ok(typeof certPath === "string" && typeof keyPath === "string" && typeof serial === "string", r.stdout);
  return { certPath, keyPath, serial };
}

/** A libpq keyword/value connection string, values single-quoted with \ and ' escaped. */
function conninfo(params: Record<string, string | number>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}='${String(v).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`)
    .join(" ");
}

let pki = "";
let caFile = "";
let appUser: Issued;
let upstream: Issued;
let cluster: TestSandbox;
let bouncer: Pgbouncer;
let snippet = "";
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  const pkiDir = await tempDir("pgwarden-pki-pgbouncer-");
  cleanups.push(pkiDir.cleanup);
  pki = pkiDir.dir;
  await cli(["ca", "init", "--pki", pki]);
  caFile = join(pki, "ca", "ca.crt");
  const bouncerServer = await issue(pki, "server", "localhost", [
    "--san",
    "127.0.0.1",
    "--san",
    "localhost",
    "--group",
    "pgbouncer",
  ]);
  appUser = await issue(pki, "client", ROLE);
  // pgbouncer's own certificate for its connections to PostgreSQL: same role, another key and serial.
  upstream = await issue(pki, "client", ROLE, ["--group", "pgbouncer-upstream"]);
  assert.notEqual(upstream.serial, appUser.serial);

  // PostgreSQL is a pgwarden sandbox: its own server certificate, client certificates only over TLS.
  cluster = await startSandbox(pki);
  cleanups.push(() => cluster.stop());
  await cluster.sql(`CREATE ROLE ${ROLE} LOGIN`);

  const dir = await makeTempDir("pgwarden-pgbouncer-");
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const install = async (name: string, from: string, mode: number): Promise<string> =>
    installFile(dir, join(TLS_SUBDIR, name), await readFile(from, "utf8"), mode);
  const files = {
    caCert: await install("ca.crt", caFile, 0o644),
    cert: await install("server.crt", bouncerServer.certPath, 0o644),
    key: await install("server.key", bouncerServer.keyPath, 0o600),
    clientCert: await install("upstream.crt", upstream.certPath, 0o644),
    clientKey: await install("upstream.key", upstream.keyPath, 0o600),
  };
  // The lines `pgwarden pg tls --print pgbouncer` prints, with the PKI's paths moved to the copies pgbouncer reads.
  const printed = await cli([
    "pg",
    "tls",
    "--pki",
    pki,
    "--print",
    "pgbouncer",
    "--cn",
    "localhost",
    "--group",
    "pgbouncer",
    "--client-cn",
    ROLE,
    "--client-group",
    "pgbouncer-upstream",
  ]);
  const moved: [string, string][] = [
    [caFile, files.caCert],
    [bouncerServer.certPath, files.cert],
    [bouncerServer.keyPath, files.key],
    [upstream.certPath, files.clientCert],
    [upstream.keyPath, files.clientKey],
  ];
  for (const [from] of moved) assert.ok(printed.stdout.includes(from), `--print names ${from}:\n${printed.stdout}`);
  snippet = moved.reduce((text, [from, to]) => text.replaceAll(from, to), printed.stdout);
  assert.equal(snippet, renderTlsSnippet("pgbouncer", "localhost", files), "the CLI prints what the library renders");
  // auth_type = cert takes the role from the client certificate's CN, but the role must still be a
  // known user (auth_file or auth_query); otherwise pgbouncer answers with a mock failure.
  const authFile = await installFile(dir, "userlist.txt", `"${ROLE}" ""\n`, 0o600);
  bouncer = await startPgbouncer({
    dir,
    databases: [`${POOLED_DB} = host=localhost port=${cluster.port} dbname=postgres`],
    settings: ["auth_type = cert", `auth_file = ${authFile}`, "log_connections = 1", ...snippet.trimEnd().split("\n")],
  });
  cleanups.push(() => bouncer.stop());
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

function viaBouncer(sslcert: string, sslkey: string, sql = WHOAMI_SQL): Promise<ClientResult> {
  const conn = conninfo({
    host: "localhost",
    hostaddr: bouncer.host,
    port: bouncer.port,
    user: ROLE,
    dbname: POOLED_DB,
    sslmode: "verify-full",
    sslrootcert: caFile,
    sslcert,
    sslkey,
  });
  return runClient(PSQL, [conn, "-XAtc", sql], { env: PSQL_ENV, timeoutMs: 20_000 });
}

test("the pgbouncer.ini written around the snippet holds its TLS lines verbatim", async () => {
  const ini = await readFile(bouncer.iniFile, "utf8");
  assert.ok(ini.includes(snippet), `pgbouncer.ini:\n${ini}`);
  assert.match(snippet, /^client_tls_sslmode = verify-full$/m);
  assert.match(snippet, new RegExp(`^server_tls_cert_file = .*/${TLS_SUBDIR}/upstream\\.crt$`, "m"));
});

test("psql (verify-full, app_user's certificate) logs in through pgbouncer, which reaches PostgreSQL over TLS with its own certificate", async () => {
  const r = await viaBouncer(appUser.certPath, appUser.keyPath);
  assert.equal(r.code, 0, `psql through pgbouncer: ${show(r)}\n--- pgbouncer log ---\n${await bouncer.log()}`);
  const [user, db, ssl, clientDn, clientSerial] = r.stdout.trim().split("|");
  assert.equal(user, ROLE);
  assert.equal(db, "postgres", "pgbouncer maps appdb to the cluster's postgres database");
  // The server side of the session: pgbouncer's connection, TLS, authenticated by its own certificate.
  assert.equal(ssl, "t");
  assert.equal(clientDn, `/CN=${ROLE}`);
  assert.equal(
    BigInt(clientSerial ?? "-1"),
    BigInt(`0x${upstream.serial.replace(/:/g, "")}`),
    "PostgreSQL saw pgbouncer's upstream certificate",
  );

  const only = await viaBouncer(appUser.certPath, appUser.keyPath, "select current_user");
  assert.equal(only.code, 0, show(only));
  assert.equal(only.stdout.trim(), ROLE);
});

test("a client certificate from a second CA is refused by pgbouncer in the TLS handshake", async (t) => {
  const other = await tempDir("pgwarden-pki-other-");
  t.after(other.cleanup);
  await cli(["ca", "init", "--pki", other.dir]);
  const foreign = await issue(other.dir, "client", ROLE);

  const r = await viaBouncer(foreign.certPath, foreign.keyPath);
  assert.notEqual(r.code, 0, `a foreign CA's certificate must be refused: ${show(r)}`);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /SSL error: tlsv1 alert unknown ca/);
  // Refused by certificate verification, not by the CN check that follows it.
  assert.doesNotMatch(r.stderr, /certificate authentication failed/);
  const log = await bouncer.log();
  assert.match(log, /TLS handshake error: .*certificate verify failed/, `pgbouncer log:\n${log}`);
});
