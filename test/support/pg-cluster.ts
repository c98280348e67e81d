/*
 * Integration-test harness: starts a REAL, throwaway PostgreSQL server.
 *
 * Every cluster lives in its own temporary directory (data dir, unix socket
 * dir, server log) and listens on its own free TCP port on 127.0.0.1, so
 * several clusters can run in parallel, also from parallel test processes.
 *
 * When the current process runs as root, `initdb`, `pg_ctl` and the
 * superuser's `psql` are run as the `postgres` OS user through
 * `runuser -u postgres -- ...` (PostgreSQL refuses to run as root); otherwise
 * they are run directly as the current user.
 *
 * Importing this module has no side effects. The first call to
 * {@link startCluster} installs a single synchronous `process.on("exit")`
 * safety net that stops (immediate mode) and deletes any cluster that was not
 * stopped explicitly, so a crashed test does not leak postmasters.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, parse as parsePath } from "node:path";

import { findServerBinaries } from "../../src/pg/pg-binaries.js";
import { emptyHome } from "./empty-home.js";

/** PEM material installed into PGDATA as the server's TLS configuration. */
export interface TlsFiles {
  /** Server certificate chain (leaf first), written to `server.crt`. */
  certPem: string;
  /** Server private key, written to `server.key` with mode 0600. */
  keyPem: string;
  /** CA bundle used to verify client certificates, written to `root.crt` (sets `ssl_ca_file`). */
  caPem?: string;
  /** Certificate revocation list, written to `root.crl` (sets `ssl_crl_file`). */
  crlPem?: string;
}

/** Options for {@link startCluster}. */
export interface StartClusterOptions {
  /**
   * pg_hba.conf lines, written verbatim (the harness always prepends
   * `local all all peer` so the superuser can connect over the unix socket).
   * Default when omitted: `host all all 127.0.0.1/32 scram-sha-256`.
   */
  hba?: string[];
  /**
   * When given: writes server.crt, server.key (0600), root.crt (and root.crl)
   * into PGDATA owned by the server user, sets ssl=on, ssl_cert_file,
   * ssl_key_file, ssl_ca_file (if caPem), ssl_crl_file (if crlPem).
   */
  tls?: TlsFiles;
  /**
   * Extra postgresql.conf settings, e.g. `{ ssl_min_protocol_version: "TLSv1.3" }`.
   * Values are written single-quoted (quotes escaped), which PostgreSQL accepts
   * for every parameter type. They override the harness defaults.
   */
  settings?: Record<string, string>;
}

/** A running throwaway PostgreSQL server. */
export interface Cluster {
  /** TCP listen address (the only one). */
  readonly host: "127.0.0.1";
  /** A free TCP port found by binding port 0 on 127.0.0.1. */
  readonly port: number;
  /** Base temporary directory holding dataDir, socketDir and logFile; removed by {@link Cluster.stop}. */
  readonly baseDir: string;
  /** PGDATA. */
  readonly dataDir: string;
  /** unix_socket_directories, inside the base temp dir. */
  readonly socketDir: string;
  /** OS user the server runs as: "postgres" when we are root, else the current user. */
  readonly osUser: string;
  /** The bootstrap superuser role name (same as osUser). */
  readonly superuser: string;
  /** Server log (pg_ctl -l); logging_collector is off. */
  readonly logFile: string;
  /**
   * Run SQL as the superuser over the unix socket with psql
   * (`-X -A -t -q -v ON_ERROR_STOP=1`), return trimmed stdout (one row per
   * line, columns separated by `|`); throws with stderr on failure.
   * SQL is passed via stdin, not argv. `db` defaults to "postgres".
   */
  sql(sql: string, db?: string): Promise<string>;
  /**
   * Make the server re-read postgresql.conf, pg_hba.conf and the TLS files
   * (after {@link Cluster.writeHba} / {@link Cluster.writeTls}) via
   * `SELECT pg_reload_conf()`, and wait until the postmaster has actually
   * processed the reload, so connections opened afterwards see the new
   * configuration. Throws (with the relevant log excerpt) if the server
   * reports that pg_hba.conf, the SSL configuration or postgresql.conf could
   * not be (fully) reloaded.
   */
  reload(): Promise<void>;
  /**
   * Replace pg_hba.conf with `local all all peer` followed by `lines`.
   * Takes effect on the next {@link Cluster.reload}.
   */
  writeHba(lines: string[]): Promise<void>;
  /**
   * Replace the TLS files in PGDATA and the ssl_* settings (ssl=on). Files /
   * settings for an omitted caPem / crlPem are removed. Takes effect on the
   * next {@link Cluster.reload}.
   */
  writeTls(files: TlsFiles): Promise<void>;
  /** Contents of the server log. */
  log(): Promise<string>;
  /** `pg_ctl stop -m fast`, then remove the temp dir; idempotent. */
  stop(): Promise<void>;
}

/** Result of {@link runClient}. */
export interface ClientResult {
  /** Exit code; 128+signal number if killed by a signal (SIGKILL on timeout gives 137). */
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link runClient}. */
export interface RunClientOptions {
  /** Extra environment, applied over the inherited environment (from which PG* variables are stripped). */
  env?: Record<string, string>;
  /** Written to the child's stdin (stdin is closed afterwards / immediately when omitted). */
  input?: string;
  /** Kill (SIGKILL) the child after this many ms; default 30 000. */
  timeoutMs?: number;
  /** Working directory; defaults to the current one. */
  cwd?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const HBA_PREFIX = "local all all peer";
const DEFAULT_HBA = ["host all all 127.0.0.1/32 scram-sha-256"];
const HARNESS_CONF = "pgwarden_harness.conf";
const RELOAD_ERROR_RE = /was not reloaded|contains errors|could not load/;

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

/**
 * Run a client program (psql etc.) with args and env, no shell; resolves
 * {code, stdout, stderr}; never throws on non-zero exit; timeout 30 s by
 * default. Inherited `PG*` environment variables are dropped so the caller's
 * shell cannot influence tests; pass them in `opts.env` instead (e.g.
 * PGPASSWORD, keeping secrets out of argv). Rejects only if the program
 * cannot be spawned at all (e.g. ENOENT).
 */
export async function runClient(cmd: string, args: string[], opts: RunClientOptions = {}): Promise<ClientResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("PG")) env[k] = v;
  }
  env.HOME = emptyHome();
  Object.assign(env, opts.env ?? {});
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return new Promise<ClientResult>((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"], shell: false });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    // The child may exit before consuming stdin (EPIPE); that is not our error to report.
    child.stdin.on("error", () => undefined);
    child.on("error", (e) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      let stderr = Buffer.concat(err).toString("utf8");
      if (timedOut) stderr += `\n[runClient] ${cmd} killed after timeout of ${timeoutMs} ms`;
      const exit = code ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : -1);
      resolve({ code: exit, stdout: Buffer.concat(out).toString("utf8"), stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/**
 * Locate the PostgreSQL server binaries as pgwarden itself does (src/pg/pg-binaries.ts:
 * `pg_config --bindir`, then PATH, then the packaged locations, newest major first), so the
 * tests run the server the product would; `$PGWARDEN_PG_BINDIR`, if set, is taken as `--pg-bin`.
 */
export function findPgBinDir(): string {
  return findServerBinaries(process.env["PGWARDEN_PG_BINDIR"] || undefined).dir;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

interface OsIdentity {
  name: string;
  uid: number;
  gid: number;
}

let serverIdentity: Promise<OsIdentity> | undefined;

/** The OS user that runs initdb/postgres: "postgres" when we are root, else ourselves. */
function getServerIdentity(): Promise<OsIdentity> {
  serverIdentity ??= (async (): Promise<OsIdentity> => {
    if (!isRoot()) {
      const me = userInfo();
      return { name: me.username, uid: me.uid, gid: me.gid };
    }
    const uid = await runClient("id", ["-u", "postgres"]);
    const gid = await runClient("id", ["-g", "postgres"]);
    if (uid.code !== 0 || gid.code !== 0) {
      throw new Error(`running as root, but the "postgres" OS user does not exist: ${uid.stderr.trim()}`);
    }
    return { name: "postgres", uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  })();
  serverIdentity.catch(() => {
    serverIdentity = undefined;
  });
  return serverIdentity;
}

/** When root, every ancestor of `dir` must be traversable by others so the postgres user can reach it. */
async function assertTraversable(dir: string): Promise<void> {
  let cur = dir;
  const { root } = parsePath(dir);
  for (;;) {
    const st = await stat(cur);
    if ((st.mode & 0o001) === 0) {
      throw new Error(
        `${cur} is not traversable by other users (mode ${(st.mode & 0o777).toString(8)}), so the postgres OS user ` +
          `cannot reach temp dirs under ${dir}; point TMPDIR at a world-traversable directory such as /tmp`,
      );
    }
    if (cur === root) return;
    cur = dirname(cur);
  }
}

/**
 * Make a temp directory (mkdtemp under os.tmpdir()) that the postgres OS user
 * can read when we are root (it is chowned to postgres, mode 0700; root can
 * still read and write it); returns path. When not root it is a plain 0700
 * directory of the current user.
 */
export async function makeTempDir(prefix: string): Promise<string> {
  const base = tmpdir();
  if (isRoot()) await assertTraversable(base);
  const dir = await mkdtemp(join(base, prefix));
  if (isRoot()) {
    const id = await getServerIdentity();
    await chown(dir, id.uid, id.gid);
  }
  await chmod(dir, 0o700);
  return dir;
}

/** Run a server-side program (initdb, pg_ctl, superuser psql) as the server OS user. */
function runAsServer(
  bin: string,
  args: string[],
  opts: { cwd: string; input?: string; timeoutMs?: number; env?: Record<string, string> },
): Promise<ClientResult> {
  const env = { LC_ALL: "C", LANG: "C", ...(opts.env ?? {}) };
  const clientOpts: RunClientOptions = { cwd: opts.cwd, env, timeoutMs: opts.timeoutMs ?? 90_000 };
  if (opts.input !== undefined) clientOpts.input = opts.input;
  if (isRoot()) return runClient("runuser", ["-u", "postgres", "--", bin, ...args], clientOpts);
  return runClient(bin, args, clientOpts);
}

/** Write a file owned by the server user with the given mode, atomically (temp file + rename). */
async function writeServerFile(path: string, content: string, mode: number, id: OsIdentity): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode);
  if (isRoot()) await chown(tmp, id.uid, id.gid);
  await rename(tmp, path);
}

function quoteConf(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** Find a currently free TCP port on 127.0.0.1 (bind port 0, read it, close): nothing listens on it once returned. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === "object") resolve(addr.port);
        else reject(new Error("could not determine a free port"));
      });
    });
  });
}

/** Clusters not yet stopped, for the process-exit safety net. */
const live = new Map<string, { pgCtl: string; dataDir: string; baseDir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const c of live.values()) {
      const args = ["-D", c.dataDir, "stop", "-m", "immediate", "-w", "-t", "10"];
      try {
        if (isRoot())
          spawnSync("runuser", ["-u", "postgres", "--", c.pgCtl, ...args], { cwd: c.baseDir, stdio: "ignore" });
        else spawnSync(c.pgCtl, args, { cwd: c.baseDir, stdio: "ignore" });
      } catch {
        /* best effort */
      }
      try {
        rmSync(c.baseDir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
    live.clear();
  });
}

class PgCluster implements Cluster {
  readonly host = "127.0.0.1" as const;
  port = 0;
  readonly dataDir: string;
  readonly socketDir: string;
  readonly logFile: string;
  readonly superuser: string;
  readonly osUser: string;
  private tls: TlsFiles | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly baseDir: string,
    private readonly binDir: string,
    private readonly id: OsIdentity,
    private readonly settings: Record<string, string>,
  ) {
    this.dataDir = join(baseDir, "data");
    this.socketDir = join(baseDir, "sock");
    this.logFile = join(baseDir, "server.log");
    this.osUser = id.name;
    this.superuser = id.name;
  }

  private bin(name: string): string {
    return join(this.binDir, name);
  }

  private psqlBin(): string {
    const own = this.bin("psql");
    return existsSync(own) ? own : "psql";
  }

  /** The managed include file: harness defaults, TLS settings, user settings (last wins). */
  async writeConf(): Promise<void> {
    const conf: [string, string][] = [
      ["listen_addresses", "127.0.0.1"],
      ["port", String(this.port)],
      ["unix_socket_directories", this.socketDir],
      ["fsync", "off"],
      ["synchronous_commit", "off"],
      ["full_page_writes", "off"],
      ["shared_buffers", "32MB"],
      ["logging_collector", "off"],
      ["log_connections", "on"],
      ["lc_messages", "C"],
    ];
    if (this.tls) {
      conf.push(["ssl", "on"]);
      conf.push(["ssl_cert_file", join(this.dataDir, "server.crt")]);
      conf.push(["ssl_key_file", join(this.dataDir, "server.key")]);
      if (this.tls.caPem !== undefined) conf.push(["ssl_ca_file", join(this.dataDir, "root.crt")]);
      if (this.tls.crlPem !== undefined) conf.push(["ssl_crl_file", join(this.dataDir, "root.crl")]);
    }
    for (const [k, v] of Object.entries(this.settings)) conf.push([k, v]);
    const text =
      "# Managed by test/support/pg-cluster.ts; rewritten on every change.\n" +
      conf.map(([k, v]) => `${k} = ${quoteConf(v)}\n`).join("");
    await writeServerFile(join(this.dataDir, HARNESS_CONF), text, 0o600, this.id);
  }

  async writeHba(lines: string[]): Promise<void> {
    const text = [HBA_PREFIX, ...lines].join("\n") + "\n";
    await writeServerFile(join(this.dataDir, "pg_hba.conf"), text, 0o600, this.id);
  }

  async writeTls(files: TlsFiles): Promise<void> {
    await writeServerFile(join(this.dataDir, "server.crt"), files.certPem, 0o644, this.id);
    await writeServerFile(join(this.dataDir, "server.key"), files.keyPem, 0o600, this.id);
    const ca = join(this.dataDir, "root.crt");
    const crl = join(this.dataDir, "root.crl");
    if (files.caPem !== undefined) await writeServerFile(ca, files.caPem, 0o644, this.id);
    else await rm(ca, { force: true });
    if (files.crlPem !== undefined) await writeServerFile(crl, files.crlPem, 0o644, this.id);
    else await rm(crl, { force: true });
    this.tls = { ...files };
    await this.writeConf();
  }

  /** Initial TLS setup (before start), same as writeTls. */
  async setTls(files: TlsFiles | undefined): Promise<void> {
    if (files) await this.writeTls(files);
    else await this.writeConf();
  }

  async sql(sql: string, db = "postgres"): Promise<string> {
    const args = [
      "-X",
      "-A",
      "-t",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      this.socketDir,
      "-p",
      String(this.port),
      "-U",
      this.superuser,
      "-d",
      db,
    ];
    const r = await runAsServer(this.psqlBin(), args, { cwd: this.baseDir, input: sql, timeoutMs: DEFAULT_TIMEOUT_MS });
    if (r.code !== 0) {
      throw new Error(`psql failed (exit ${r.code}) on db ${db}: ${r.stderr.trim() || r.stdout.trim()}\nSQL: ${sql}`);
    }
    return r.stdout.trim();
  }

  private async logSize(): Promise<number> {
    try {
      return (await stat(this.logFile)).size;
    } catch {
      return 0;
    }
  }

  private async logFrom(offset: number): Promise<string> {
    const fh = await open(this.logFile, "r");
    try {
      const { size } = await fh.stat();
      if (size <= offset) return "";
      const buf = Buffer.alloc(size - offset);
      await fh.read(buf, 0, buf.length, offset);
      return buf.toString("utf8");
    } finally {
      await fh.close();
    }
  }

  async reload(): Promise<void> {
    const before = await this.sql("SELECT pg_conf_load_time()::text");
    const offset = await this.logSize();
    await this.sql("SELECT pg_reload_conf()");
    const deadline = Date.now() + 15_000;
    const literal = quoteConf(before);
    // A new session reports the postmaster's load time; once it moved, the postmaster has finished
    // its SIGHUP processing (postgresql.conf, pg_hba.conf, SSL), which happens before it forks again.
    for (;;) {
      const reloaded = (await this.sql(`SELECT pg_conf_load_time() > ${literal}::timestamptz`)) === "t";
      const fresh = await this.logFrom(offset);
      const bad = fresh.split("\n").filter((l) => RELOAD_ERROR_RE.test(l));
      if (bad.length > 0)
        throw new Error(`reload reported problems:\n${bad.join("\n")}\n--- log since reload ---\n${fresh}`);
      if (reloaded) return;
      if (Date.now() > deadline)
        throw new Error(
          `server did not finish reloading its configuration within 15 s\n--- log since reload ---\n${fresh}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async log(): Promise<string> {
    try {
      return await readFile(this.logFile, "utf8");
    } catch {
      return "";
    }
  }

  /** pg_ctl start -w; returns the result so the caller can retry on a port clash. */
  async pgStart(): Promise<ClientResult> {
    return runAsServer(this.bin("pg_ctl"), ["-D", this.dataDir, "-l", this.logFile, "-w", "-t", "60", "start"], {
      cwd: this.baseDir,
      timeoutMs: 90_000,
    });
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const pgCtl = this.bin("pg_ctl");
    try {
      if (existsSync(join(this.dataDir, "postmaster.pid"))) {
        const r = await runAsServer(pgCtl, ["-D", this.dataDir, "stop", "-m", "fast", "-w", "-t", "30"], {
          cwd: this.baseDir,
        });
        if (r.code !== 0 && existsSync(join(this.dataDir, "postmaster.pid"))) {
          await runAsServer(pgCtl, ["-D", this.dataDir, "stop", "-m", "immediate", "-w", "-t", "30"], {
            cwd: this.baseDir,
          });
        }
      }
    } finally {
      live.delete(this.baseDir);
      await rm(this.baseDir, { recursive: true, force: true });
    }
  }
}

/**
 * Start a throwaway PostgreSQL cluster: initdb (peer for local, scram-sha-256
 * for host, `-U <osUser>`, --no-sync) in a fresh temp dir, write config / hba /
 * TLS files, `pg_ctl -w -t 60 start`, and wait until `SELECT 1` works over the
 * unix socket. Retries with another port if the chosen one was taken in the
 * meantime. Always call {@link Cluster.stop} (e.g. in `after`/`finally`).
 */
export async function startCluster(opts: StartClusterOptions = {}): Promise<Cluster> {
  const settings = opts.settings ?? {};
  for (const key of Object.keys(settings)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key))
      throw new Error(`invalid postgresql.conf parameter name: ${JSON.stringify(key)}`);
  }
  const binDir = findPgBinDir();
  const id = await getServerIdentity();
  const baseDir = await makeTempDir("pgwarden-pg-");
  const cluster = new PgCluster(baseDir, binDir, id, settings);
  installExitHook();
  live.set(baseDir, { pgCtl: join(binDir, "pg_ctl"), dataDir: cluster.dataDir, baseDir });
  try {
    await mkdir(cluster.socketDir, { mode: 0o700 });
    if (isRoot()) await chown(cluster.socketDir, id.uid, id.gid);

    const init = await runAsServer(
      join(binDir, "initdb"),
      [
        "-D",
        cluster.dataDir,
        "--auth-local=peer",
        "--auth-host=scram-sha-256",
        "-U",
        cluster.superuser,
        "--no-sync",
        "-E",
        "UTF8",
        "--locale=C",
      ],
      { cwd: baseDir, timeoutMs: 120_000 },
    );
    if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${init.stderr}\n${init.stdout}`);
    const dataMode = (await stat(cluster.dataDir)).mode & 0o777;
    if (dataMode & 0o077) await chmod(cluster.dataDir, 0o700);

    await writeFile(join(cluster.dataDir, "postgresql.conf"), `\ninclude = '${HARNESS_CONF}'\n`, { flag: "a" });
    await cluster.writeHba(opts.hba ?? DEFAULT_HBA);

    let lastError = "";
    for (let attempt = 1; attempt <= 5; attempt++) {
      cluster.port = await freePort();
      await cluster.setTls(opts.tls);
      const offset = existsSync(cluster.logFile) ? statSync(cluster.logFile).size : 0;
      const r = await cluster.pgStart();
      if (r.code === 0) {
        lastError = "";
        break;
      }
      const log = (await cluster.log()).slice(offset);
      lastError = `pg_ctl start failed (exit ${r.code}) on port ${cluster.port}:\n${r.stderr}${r.stdout}\n--- server log ---\n${log}`;
      if (!/could not bind|Address already in use|could not create any TCP\/IP sockets/.test(log)) break;
    }
    if (lastError) throw new Error(lastError);

    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await cluster.sql("SELECT 1")) === "1") break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return cluster;
  } catch (e) {
    const log = await cluster.log();
    await cluster.stop().catch(() => undefined);
    if (e instanceof Error && log && !e.message.includes("--- server log ---")) {
      e.message += `\n--- server log ---\n${log}`;
    }
    throw e;
  }
}

/** How many lines matching `pattern` the server logged after `offset`, waiting up to 5 s for `count` of them. */
export async function waitForLogLines(
  cluster: { log(): Promise<string> },
  offset: number,
  pattern: RegExp,
  count: number,
): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const lines = (await cluster.log())
      .slice(offset)
      .split("\n")
      .filter((line) => pattern.test(line)).length;
    if (lines >= count || Date.now() > deadline) return lines;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
