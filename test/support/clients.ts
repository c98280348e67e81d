/*
 * Real PostgreSQL clients for integration tests, each run in its own process and asked for
 * one value (`select current_user` by default):
 *
 * - psql (libpq), given a libpq connection string;
 * - node-postgres (`pg` from this repository), given a URL;
 * - psycopg 3 through Debian's `/usr/bin/python3` (the `python3` on PATH may be a pyenv
 *   without psycopg), given the Python source of a `psycopg.connect(...)` call;
 * - pgjdbc (`/usr/share/java/postgresql.jar`), given a JDBC URL, through a small Java
 *   program written once per test process into a temp dir and run as a single source file
 *   (Java 11+; a JRE is enough: Debian's carries the compiler module, not `javac`).
 *
 * Connection strings travel in argv: the tests use certificate authentication, so they
 * hold no secret. `PG*` variables of the caller are dropped (see {@link runClient}); libpq
 * clients get `PGCONNECT_TIMEOUT=10`. Importing this module has no side effects.
 */
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { REPO_ROOT } from "./cli.js";
import { type ClientResult, runClient } from "./pg-cluster.js";

/** What a client said: `ok` when it connected and answered; `stdout` is the answer, trimmed. */
export interface ClientOutcome {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ClientOptions {
  /** The query; its first column of the first row is printed. Default `select current_user`. */
  readonly sql?: string;
  /** Extra environment (e.g. `HOME`, so libpq finds `~/.postgresql` in a temp dir). */
  readonly env?: Record<string, string>;
}

export const PSYCOPG_PYTHON = "/usr/bin/python3";
export const PGJDBC_JAR = "/usr/share/java/postgresql.jar";

const DEFAULT_SQL = "select current_user";
const LIBPQ_ENV = { PGCONNECT_TIMEOUT: "10" };
const CONNECT_TIMEOUT_MS = 10_000;

/** Connected means it exited 0 and printed the answer: a client that says nothing did not log in. */
function outcome(result: ClientResult): ClientOutcome {
  const stdout = result.stdout.trim();
  return { ok: result.code === 0 && stdout.length > 0, stdout, stderr: result.stderr.trim() };
}

/** psql (libpq) with a keyword/value string or a `postgresql://` URI. */
export async function psql(conninfo: string, options: ClientOptions = {}): Promise<ClientOutcome> {
  const args = ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", options.sql ?? DEFAULT_SQL];
  return outcome(await runClient("psql", args, { env: { ...LIBPQ_ENV, ...options.env } }));
}

const NODE_POSTGRES_PROBE = `
const { Client } = require("pg");
const [url, sql, timeout] = process.argv.slice(1);
// node-postgres 8 can leave connect() pending when the server ends a TLS connection it
// refused (its timeout timer is unref'd), and Node then exits 0 having printed nothing:
// that is a refusal, not a login.
let answered = false;
process.on("exit", (code) => {
  if (!answered && code === 0) {
    console.error("node-postgres: the connection ended without an answer");
    process.exitCode = 1;
  }
});
(async () => {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: Number(timeout) });
  try {
    await client.connect();
    const result = await client.query({ text: sql, rowMode: "array" });
    console.log(String(result.rows[0][0]));
    answered = true;
  } finally {
    await client.end().catch(() => undefined);
  }
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
`;

/** node-postgres with a connection URL (pg-connection-string reads sslcert, sslkey, sslrootcert). */
export async function nodePostgres(url: string, options: ClientOptions = {}): Promise<ClientOutcome> {
  // `node -e` resolves require() from its working directory: this repository's node_modules.
  const args = ["-e", NODE_POSTGRES_PROBE, url, options.sql ?? DEFAULT_SQL, String(CONNECT_TIMEOUT_MS)];
  return outcome(await runClient(process.execPath, args, { cwd: REPO_ROOT, env: { ...options.env } }));
}

/**
 * psycopg 3 evaluating `connectCall`, Python source such as `psycopg.connect("host=...")`
 * (the line `cert export` prints), so the test proves that line's quoting too.
 */
export async function psycopg(connectCall: string, options: ClientOptions = {}): Promise<ClientOutcome> {
  const script = [
    "import sys",
    "import psycopg",
    "try:",
    `    with ${connectCall} as conn:`,
    "        print(conn.execute(sys.argv[1]).fetchone()[0])",
    "except psycopg.Error as error:",
    "    print(str(error).strip(), file=sys.stderr)",
    "    sys.exit(1)",
    "",
  ].join("\n");
  const result = await runClient(PSYCOPG_PYTHON, ["-", options.sql ?? DEFAULT_SQL], {
    input: script,
    env: { ...LIBPQ_ENV, ...options.env },
  });
  return outcome(result);
}

const JDBC_PROBE_CLASS = "PgwardenJdbcProbe";
const JDBC_PROBE_SOURCE = `
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

public class ${JDBC_PROBE_CLASS} {
  public static void main(String[] args) {
    DriverManager.setLoginTimeout(${CONNECT_TIMEOUT_MS / 1000});
    try (Connection connection = DriverManager.getConnection(args[0]);
         Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(args[1])) {
      rows.next();
      System.out.println(rows.getString(1));
    } catch (SQLException error) {
      System.err.println(error.getMessage());
      for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) System.err.println("caused by: " + cause);
      System.exit(1);
    }
  }
}
`;

let jdbcProbeSource: Promise<string> | undefined;

/** The probe's source file, written once per process and removed when it exits. */
function jdbcProbe(): Promise<string> {
  jdbcProbeSource ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "pgwarden-jdbc-probe-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    const source = join(dir, `${JDBC_PROBE_CLASS}.java`);
    await writeFile(source, JDBC_PROBE_SOURCE);
    return source;
  })();
  jdbcProbeSource.catch(() => {
    jdbcProbeSource = undefined;
  });
  return jdbcProbeSource;
}

/** pgjdbc with a `jdbc:postgresql://` URL. */
export async function jdbc(url: string, options: ClientOptions = {}): Promise<ClientOutcome> {
  if (!existsSync(PGJDBC_JAR)) throw new Error(`${PGJDBC_JAR} is missing: install Debian's libpostgresql-jdbc-java`);
  // Client JVM flags: start-up time dominates a one-query run (about 0.6 s here).
  const args = [
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    "-cp",
    PGJDBC_JAR,
    await jdbcProbe(),
    url,
    options.sql ?? DEFAULT_SQL,
  ];
  return outcome(await runClient("java", args, { env: { ...options.env } }));
}
