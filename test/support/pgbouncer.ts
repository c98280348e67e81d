/*
 * Integration-test harness: runs a REAL pgbouncer on 127.0.0.1 and a free port.
 *
 * pgbouncer refuses to run as root, so when we are root it runs as the `postgres` OS user through
 * `runuser -u postgres --`; otherwise it runs as ourselves. Give it a directory from
 * `makeTempDir` (owned by that user) and write the files it reads with {@link installFile}, which
 * hands them to the directory's owner.
 *
 * Importing this module has no side effects. The first start installs a synchronous
 * `process.on("exit")` safety net that kills any pgbouncer not stopped explicitly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, chown, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { dirname, join, relative, sep } from "node:path";

/** The Debian package's binary; `PGWARDEN_PGBOUNCER` points elsewhere. */
export const PGBOUNCER_BIN = process.env["PGWARDEN_PGBOUNCER"] ?? "/usr/sbin/pgbouncer";

const HOST = "127.0.0.1";
const START_ATTEMPTS = 5;
const READY_DEADLINE_MS = 30_000;
const POLL_INTERVAL_MS = 50;
const STOP_GRACE_MS = 10_000;

/** What {@link startPgbouncer} writes into pgbouncer.ini around the harness's own settings. */
export interface PgbouncerOptions {
  /** A directory from `makeTempDir`: config, log, pid file and unix socket go here. */
  readonly dir: string;
  /** Lines of the `[databases]` section, e.g. `appdb = host=127.0.0.1 port=5433 dbname=postgres`. */
  readonly databases: readonly string[];
  /**
   * Lines appended to the `[pgbouncer]` section after the harness's listen_addr, listen_port,
   * unix_socket_dir, logfile and pidfile (so a line here overrides them).
   */
  readonly settings: readonly string[];
}

/** A running pgbouncer. */
export interface Pgbouncer {
  readonly host: typeof HOST;
  readonly port: number;
  readonly iniFile: string;
  readonly logFile: string;
  /** The log file (pgbouncer writes the same lines to stderr, which only start-up errors report). */
  log(): Promise<string>;
  /** SIGTERM (immediate shutdown), then wait for the process to exit; idempotent. */
  stop(): Promise<void>;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/**
 * Write `relativePath` under `dir` with `mode`, owned (like any directory created on the way)
 * by the owner of `dir`; returns the absolute path.
 */
export async function installFile(dir: string, relativePath: string, content: string, mode: number): Promise<string> {
  const path = join(dir, relativePath);
  const rel = relative(dir, path);
  if (rel === ".." || rel.startsWith(`..${sep}`) || rel === "") throw new Error(`${relativePath} is outside ${dir}`);
  const owner = await stat(dir);
  const created: string[] = [];
  for (let parent = dirname(path); parent !== dir && !existsSync(parent); parent = dirname(parent))
    created.push(parent);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  if (isRoot()) for (const parent of created) await chown(parent, owner.uid, owner.gid);
  await writeFile(path, content, { mode });
  await chmod(path, mode);
  if (isRoot()) await chown(path, owner.uid, owner.gid);
  return path;
}

/** A currently free TCP port on 127.0.0.1 (bind port 0, read it, close). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen({ port: 0, host: HOST, exclusive: true }, () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** pgbouncer processes not yet stopped, for the exit safety net: child (runuser) pid and pid file. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const [child, pidFile] of live) {
      for (const pid of [readPid(pidFile), child.pid]) {
        if (pid === undefined) continue;
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }
    live.clear();
  });
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, "utf8").trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

class RunningPgbouncer implements Pgbouncer {
  readonly host = HOST;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly port: number,
    readonly iniFile: string,
    readonly logFile: string,
    private readonly pidFile: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  log(): Promise<string> {
    return readFile(this.logFile, "utf8").catch(() => "");
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    // Signal pgbouncer itself: runuser would forward SIGTERM, but then waits before it exits.
    const pid = readPid(this.pidFile) ?? this.child.pid;
    if (this.child.exitCode === null && this.child.signalCode === null && pid !== undefined) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const grace = setTimeout(() => {
        for (const p of [pid, this.child.pid]) {
          try {
            if (p !== undefined) process.kill(p, "SIGKILL");
          } catch {
            /* already gone */
          }
        }
      }, STOP_GRACE_MS);
      await this.exited;
      clearTimeout(grace);
    }
    live.delete(this.child);
  }
}

/**
 * Write pgbouncer.ini into `options.dir` and start pgbouncer in the foreground on 127.0.0.1 and a
 * free port; resolves once it accepts TCP connections. Retries with another port if the chosen
 * one was taken meanwhile. Always call {@link Pgbouncer.stop} (in `after`/`finally`).
 */
export async function startPgbouncer(options: PgbouncerOptions): Promise<Pgbouncer> {
  if (!existsSync(PGBOUNCER_BIN))
    throw new Error(
      `pgbouncer not found at ${PGBOUNCER_BIN}: install it (Debian: apt-get install pgbouncer) or set PGWARDEN_PGBOUNCER`,
    );
  installExitHook();
  const logFile = join(options.dir, "pgbouncer.log");
  const pidFile = join(options.dir, "pgbouncer.pid");
  let lastError = "";
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await freePort();
    const ini = [
      "[databases]",
      ...options.databases,
      "",
      "[pgbouncer]",
      `listen_addr = ${HOST}`,
      `listen_port = ${port}`,
      `unix_socket_dir = ${options.dir}`,
      `logfile = ${logFile}`,
      `pidfile = ${pidFile}`,
      ...options.settings,
      "",
    ].join("\n");
    const iniFile = await installFile(options.dir, "pgbouncer.ini", ini, 0o600);

    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && !key.startsWith("PG")) env[key] = value;
    const [command, args] = isRoot()
      ? ["runuser", ["-u", "postgres", "--", PGBOUNCER_BIN, iniFile]]
      : [PGBOUNCER_BIN, [iniFile]];
    const child = spawn(command, args, { cwd: options.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    live.set(child, pidFile);
    let output = "";
    child.stdout?.on("data", (b: Buffer) => (output += b.toString("utf8")));
    child.stderr?.on("data", (b: Buffer) => (output += b.toString("utf8")));
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    let spawnFailure: Error | undefined;
    void spawnError.then((e) => (spawnFailure = e));

    const deadline = Date.now() + READY_DEADLINE_MS;
    for (;;) {
      if (spawnFailure) {
        live.delete(child);
        throw new Error(`cannot run ${command}: ${spawnFailure.message}`);
      }
      if (child.exitCode !== null || child.signalCode !== null) break;
      if (await canConnect(port)) return new RunningPgbouncer(port, iniFile, logFile, pidFile, child, exited);
      if (Date.now() > deadline) {
        const bouncer = new RunningPgbouncer(port, iniFile, logFile, pidFile, child, exited);
        await bouncer.stop();
        throw new Error(
          `pgbouncer did not accept connections on ${HOST}:${port} within ${READY_DEADLINE_MS} ms\n--- output ---\n${output}`,
        );
      }
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
    await exited;
    live.delete(child);
    const log = await readFile(logFile, "utf8").catch(() => "");
    lastError = `pgbouncer exited (code ${child.exitCode}, signal ${child.signalCode}) on port ${port}\n--- output ---\n${output}\n--- log ---\n${log}`;
    if (!/Address already in use/.test(output + log)) break;
  }
  throw new Error(lastError);
}
