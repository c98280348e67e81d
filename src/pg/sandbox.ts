import { appendFile, chown, lstat, readdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { hostname } from "node:os";
import { dirname, join, parse as parsePath, resolve } from "node:path";

import { ExitCode, notFoundError, PgwardenError, usageError } from "../core/errors.js";
import { ensureDirectory, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeFileAtomic } from "../core/fs/atomic-write.js";
import type { CertificateAuthority } from "../pki/authority/certificate-authority.js";
import { decodeCertificates } from "../pki/encoding/pem.js";
import { issueCertificate, prepareLeaf } from "../pki/issuing/issue.js";
import { PROFILES } from "../pki/issuing/profiles.js";
import { parseSubjectAltName } from "../pki/names/subject-alt-name.js";
import type { PkiLayout } from "../pki/pki-layout.js";
import { readCaCrl } from "../pki/revocation/crl-file.js";
import { verifyCertificate } from "../pki/verify/verify-certificate.js";
import { isRoot, type OsUser, runProgram, serverUser } from "./os-user.js";
import { findServerBinaries } from "./pg-binaries.js";
import { readPostmasterPid } from "./postmaster.js";
import { ensureServerCertificate, type ServerCertificate } from "./server-certificate.js";
import { configValue } from "./server-config.js";
import { type ServerTrust, serverTrust } from "./tls/client-trust.js";
import { crlIssuers, serverMaterial } from "./tls/deployment-preflight.js";
import { strandedClients, strandedClientsError } from "./tls/stranded-clients.js";
import { applyTls, checkServed, planTls, type ServedCheck, TLS_FILES } from "./tls-deploy.js";
import { probeTls, type TlsProbe } from "./tls-probe.js";

export const SANDBOX_STATE_FILE = "sandbox.json";
/** The entries `sandbox up` makes in its directory: the only ones `sandbox down --purge` deletes. */
export const SANDBOX_ENTRIES = {
  data: "data",
  socket: "socket",
  log: "postgres.log",
  state: SANDBOX_STATE_FILE,
} as const;
/** The line createSandbox appends to the sandbox's postgresql.conf: how --purge knows the data directory is pgwarden's. */
const SANDBOX_CONF_MARK = "# pgwarden sandbox: loopback only";
/** PKI group for the sandbox's own certificates (its server certificate and its superuser's). */
export const SANDBOX_GROUP = "sandbox";
export const SANDBOX_HOST = "localhost";

/** What `sandbox up` made, kept in `<dir>/sandbox.json` for `status`, `down` and quickstart. */
export interface SandboxState {
  readonly version: 1;
  readonly dir: string;
  readonly pgdata: string;
  readonly socketDir: string;
  readonly logFile: string;
  readonly port: number;
  readonly binDir: string;
  /** The OS account that runs the server. */
  readonly osUser: string;
  /** The bootstrap superuser (peer over the socket, or its client certificate over TLS). */
  readonly superuser: string;
  readonly pki: string;
  readonly createdAt: string;
}

export interface SandboxUpOptions {
  readonly dir: string;
  readonly port?: number;
  readonly pgBin?: string;
  readonly now: Date;
  /** The issuer of the superuser's client certificate (the "client" intermediate when there is one); default the CA given. */
  readonly clientCa?: CertificateAuthority;
  /** Install an ssl_ca_file that locks out client certificates the server accepts now (strandedClients). */
  readonly force?: boolean;
}

export interface SandboxUpResult {
  readonly state: SandboxState;
  readonly action: "created" | "started" | "running";
  readonly serverCertificate: ServerCertificate;
  readonly served: ServedCheck;
}

export async function readSandboxState(dir: string): Promise<SandboxState | undefined> {
  const text = await readFile(join(resolve(dir), SANDBOX_STATE_FILE), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as SandboxState;
  } catch {
    throw new PgwardenError(
      "bad-sandbox-state",
      `${join(dir, SANDBOX_STATE_FILE)} is not valid JSON: remove the sandbox directory and run sandbox up again`,
      ExitCode.config,
    );
  }
}

/** What a sandbox's sandbox.json says of its PKI: the directory, or why it is not believed. */
export type RecordedPki = { readonly pki: string } | { readonly untrusted: string };

/**
 * The PKI `sandbox up` recorded for the sandbox in `dir` (undefined: no sandbox there), so that `status`
 * and `up` find it from any directory. Believed only when sandbox.json is this user's (sandbox up writes
 * it as whoever ran it) and nobody else may write it: the sandbox directory belongs to the server's
 * account, which could otherwise point a root `sandbox up` at another PKI on the machine and get a
 * server key signed by that CA.
 */
export async function recordedSandboxPki(dir: string): Promise<RecordedPki | undefined> {
  const state = await readSandboxState(dir);
  if (state === undefined) return undefined;
  const untrusted = await untrustedState(dir);
  if (untrusted !== undefined) return { untrusted };
  if (typeof state.pki !== "string" || state.pki === "")
    return { untrusted: `${join(resolve(dir), SANDBOX_STATE_FILE)} names no PKI` };
  return { pki: state.pki };
}

/** Why the sandbox.json in `dir` is not to be acted on (another user's, or writable by others), or undefined. */
async function untrustedState(dir: string): Promise<string | undefined> {
  const file = join(resolve(dir), SANDBOX_STATE_FILE);
  const info = await stat(file);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) return `${file} belongs to uid ${info.uid}, not to this user`;
  if ((info.mode & 0o022) !== 0)
    return `${file} may be written by other users (mode 0${(info.mode & 0o777).toString(8)})`;
  return undefined;
}

/**
 * What /bin/sh still reads inside double quotes, where pg_ctl puts the paths it starts postgres with. Control
 * characters too: a newline splits the command pg_ctl builds, and ends up in postgresql.conf's paths.
 */
const SHELL_SPECIAL_IN_QUOTES = /[$`"\\\x00-\x1f\x7f]/;

/** A sandbox path pg_ctl can start postgres with: one its shell would expand is refused (exit 2) before anything is made. */
export function assertShellSafePath(path: string): void {
  // pg_ctl hands the data directory and log file to /bin/sh inside double quotes, where these still mean something.
  const special = SHELL_SPECIAL_IN_QUOTES.exec(path);
  if (special) {
    throw usageError(
      "sandbox-dir-shell-character",
      `${path} contains ${JSON.stringify(special[0])}, which pg_ctl's shell would expand: give a --dir without $, \`, ", \\ or control characters`,
    );
  }
}

/**
 * A sandbox goes into a new or empty directory, or one that already holds a sandbox: never
 * among someone's files, which `sandbox down --purge` would then have to tell apart.
 */
export async function assertSandboxDir(dir: string): Promise<void> {
  const path = resolve(dir);
  assertShellSafePath(path);
  if (await readSandboxState(path)) return;
  const entries = await readdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    if (error.code === "ENOTDIR")
      throw usageError("sandbox-dir-not-dir", `${path} is not a directory: give sandbox up a new or empty --dir`);
    throw error;
  });
  if (entries.length === 0) return;
  throw usageError(
    "sandbox-dir-not-empty",
    `${path} is not empty and holds no pgwarden sandbox (no ${SANDBOX_STATE_FILE}): ` +
      "give sandbox up a new or empty --dir, so that its files never mix with yours",
  );
}

/** A free TCP port on 127.0.0.1, or a check that the requested one is free. */
async function freePort(requested?: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? usageError(
              "port-in-use",
              `port ${requested} on 127.0.0.1 is taken: choose another --port, or leave it out for a free one`,
            )
          : error,
      ),
    );
    server.listen(requested ?? 0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * When root, the server's account must be able to enter every ancestor of the sandbox directory.
 * Ancestors not made yet are skipped: whoever makes them (quickstart) makes them enterable.
 */
export async function assertReachable(dir: string, user: OsUser): Promise<void> {
  if (!isRoot()) return;
  for (let current = dirname(dir); ; current = dirname(current)) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (info === undefined) continue;
    const canEnter =
      info.uid === user.uid
        ? (info.mode & 0o100) !== 0
        : info.gid === user.gid
          ? (info.mode & 0o010) !== 0
          : (info.mode & 0o001) !== 0;
    if (!canEnter) {
      throw usageError(
        "sandbox-unreachable",
        `the ${user.name} account cannot enter ${current} (mode ${(info.mode & 0o777).toString(8)}), so PostgreSQL cannot run under ${dir}: choose a --dir under /tmp or /var/tmp`,
      );
    }
    if (current === parsePath(current).root) return;
  }
}

function sandboxSans(): string[] {
  const sans = ["localhost", "127.0.0.1", "::1"];
  const host = hostname();
  try {
    parseSubjectAltName(host);
    if (!sans.includes(host)) sans.push(host);
  } catch {
    // A host name that is no valid DNS name stays out of the certificate.
  }
  return sans;
}

function hbaRules(superuser: string): string {
  return [
    "# Written by pgwarden sandbox: the OS superuser over the socket, certificates over TLS, nothing else.",
    "# TYPE   DATABASE  USER  ADDRESS       METHOD",
    `local    all       ${superuser}  peer`,
    "hostssl  all       all   127.0.0.1/32  cert",
    "hostssl  all       all   ::1/128       cert",
    "",
  ].join("\n");
}

async function pgCtl(state: SandboxState, user: OsUser, args: string[]): Promise<{ code: number; output: string }> {
  const result = await runProgram(join(state.binDir, "pg_ctl"), args, { user });
  return { code: result.code, output: `${result.stderr}${result.stdout}`.trim() };
}

async function startServer(state: SandboxState, user: OsUser): Promise<void> {
  const started = await pgCtl(state, user, ["start", "-D", state.pgdata, "-l", state.logFile, "-w", "-t", "60", "-s"]);
  if (started.code !== 0) {
    const log = await readFile(state.logFile, "utf8").catch(() => "");
    const reason =
      log
        .split("\n")
        .filter((line) => /FATAL|ERROR/.test(line))
        .pop() ?? started.output;
    throw new PgwardenError(
      "sandbox-start-failed",
      `the sandbox's PostgreSQL did not start: ${reason.trim()} (log: ${state.logFile})`,
      ExitCode.connection,
    );
  }
}

/** Whether the certificate file at `path` (leaf, then its chain) is accepted for login by the ssl_ca_file `caPem`. */
async function acceptedBy(path: string, caPem: string, now: Date): Promise<boolean> {
  try {
    const [leaf, ...chain] = decodeCertificates(await readFile(path, "utf8"), path);
    if (!leaf) return false;
    const roots = decodeCertificates(caPem, "ssl_ca_file");
    return verifyCertificate(leaf, { roots, intermediates: chain, purpose: "client", now }).ok;
  } catch {
    return false;
  }
}

/**
 * Issues (or keeps) the superuser's client certificate, so pgwarden can administer the sandbox over TLS. One the
 * server's ssl_ca_file (`caPem`) would refuse (the root's, after ca init --intermediates) is re-issued from `ca`.
 */
export async function ensureSuperuserCertificate(
  layout: PkiLayout,
  ca: CertificateAuthority,
  superuser: string,
  now: Date,
  caPem?: string,
): Promise<{ certPath: string; keyPath: string; reissued?: boolean }> {
  const prepared = prepareLeaf(layout, { profile: PROFILES.client, commonName: superuser, group: SANDBOX_GROUP });
  const present = await stat(prepared.paths.cert).then(
    () => true,
    () => false,
  );
  const stale = present && caPem !== undefined && !(await acceptedBy(prepared.paths.cert, caPem, now));
  if (!present || stale)
    await issueCertificate(
      layout,
      ca,
      { profile: PROFILES.client, commonName: superuser, group: SANDBOX_GROUP, ...(stale ? { force: true } : {}) },
      now,
    );
  return { certPath: prepared.paths.cert, keyPath: prepared.paths.key, ...(stale ? { reissued: true } : {}) };
}

/** Issues (or keeps) the sandbox server's certificate and puts it, with the CA and CRL, into PGDATA; `changed`: a file was written. */
async function deployServerTls(
  layout: PkiLayout,
  ca: CertificateAuthority,
  crlPem: string | undefined,
  pgdata: string,
  now: Date,
  trust: ServerTrust,
): Promise<{ server: ServerCertificate; changed: boolean }> {
  const server = await ensureServerCertificate(
    layout,
    ca,
    { commonName: SANDBOX_HOST, subjectAltNames: sandboxSans(), group: SANDBOX_GROUP },
    now,
  );
  const { plan, writes } = await planTls(serverMaterial(server, ca, trust, crlPem), { pgdata });
  await applyTls(plan, writes, now);
  return { server, changed: plan.changed };
}

async function createSandbox(
  dir: string,
  layout: PkiLayout,
  ca: CertificateAuthority,
  crlPem: string | undefined,
  options: SandboxUpOptions,
): Promise<{ state: SandboxState; server: ServerCertificate }> {
  const binaries = findServerBinaries(options.pgBin);
  const user = await serverUser();
  const port = await freePort(options.port);
  await assertReachable(dir, user);
  await ensureDirectory(dir, PRIVATE_DIR_MODE);
  if (isRoot()) await chown(dir, user.uid, user.gid);
  const state: SandboxState = {
    version: 1,
    dir,
    pgdata: join(dir, SANDBOX_ENTRIES.data),
    socketDir: join(dir, SANDBOX_ENTRIES.socket),
    logFile: join(dir, SANDBOX_ENTRIES.log),
    port,
    binDir: binaries.dir,
    osUser: user.name,
    superuser: user.name,
    pki: layout.root,
    createdAt: options.now.toISOString(),
  };
  await ensureDirectory(state.socketDir, PRIVATE_DIR_MODE);
  if (isRoot()) await chown(state.socketDir, user.uid, user.gid);
  const init = await runProgram(
    join(binaries.dir, "initdb"),
    [
      "-D",
      state.pgdata,
      "--data-checksums",
      "--auth-local=peer",
      "--auth-host=scram-sha-256",
      "-U",
      state.superuser,
      "--encoding=UTF8",
      "--no-instructions",
    ],
    { user },
  );
  if (init.code !== 0)
    throw new PgwardenError(
      "initdb-failed",
      `initdb failed: ${init.stderr.trim().split("\n").pop() ?? ""}`,
      ExitCode.internal,
    );
  const owner = isRoot() ? { uid: user.uid, gid: user.gid } : undefined;
  const settings = [
    "",
    SANDBOX_CONF_MARK,
    `listen_addresses = ${configValue("127.0.0.1")}`,
    `port = ${port}`,
    `unix_socket_directories = ${configValue(state.socketDir)}`,
    // Who connected and from where, as `pgwarden audit` asks of any server. Not log_statement = ddl: it would log
    // a password someone sets in clear text (CREATE ROLE ... PASSWORD '...') into the sandbox's log.
    "log_connections = on",
    "log_disconnections = on",
    `log_line_prefix = ${configValue("%m [%p] %q%u@%d from %h ")}`,
    "log_replication_commands = on",
    "",
  ].join("\n");
  await appendFile(join(state.pgdata, "postgresql.conf"), settings);
  await writeFileAtomic(join(state.pgdata, "pg_hba.conf"), hbaRules(state.superuser), {
    mode: PRIVATE_FILE_MODE,
    owner,
  });
  const trust = await serverTrust(layout, ca);
  const { server } = await deployServerTls(layout, ca, crlPem, state.pgdata, options.now, trust);
  await ensureSuperuserCertificate(layout, options.clientCa ?? ca, state.superuser, options.now, trust.clientCaPem);
  await recordState(dir, state);
  return { state, server };
}

/** Writes `<dir>/sandbox.json`, readable by all (it holds no secret), written by this user only. */
async function recordState(dir: string, state: SandboxState): Promise<SandboxState> {
  await writeFileAtomic(join(dir, SANDBOX_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  return state;
}

/**
 * Starts a throwaway PostgreSQL on loopback, secured from its first start: TLS with a
 * certificate from the pgwarden CA, certificate logins only over TCP. Running it again
 * starts a stopped sandbox or leaves a running one alone.
 */
export async function sandboxUp(
  layout: PkiLayout,
  ca: CertificateAuthority,
  options: SandboxUpOptions,
): Promise<SandboxUpResult> {
  const dir = resolve(options.dir);
  await assertSandboxDir(dir);
  // Checked before anything is made: an expired or foreign CRL would lock every certificate login out.
  const crlPem = await readCaCrl(layout, { issuers: await crlIssuers(layout, ca), now: options.now });
  const existing = await readSandboxState(dir);
  const user = await serverUser();
  let state: SandboxState;
  let action: SandboxUpResult["action"];
  let server: ServerCertificate;
  if (existing) {
    if (options.port !== undefined && options.port !== existing.port) {
      throw usageError(
        "sandbox-port",
        `the sandbox in ${dir} listens on port ${existing.port}: leave out --port, or use another --dir for a second sandbox`,
      );
    }
    // A PKI moved elsewhere (and given to up with --pki) is recorded where it is now, for status.
    const moved = existing.pki !== layout.root && (await stat(existing.pki).catch(() => undefined)) === undefined;
    state = moved ? await recordState(dir, { ...existing, pki: layout.root }) : existing;
    const trust = await serverTrust(layout, ca);
    if (!options.force) {
      // Its own superuser's certificate is not among them: re-issued below when the new ssl_ca_file would refuse it.
      const installedCa = await readFile(join(state.pgdata, TLS_FILES.ca), "utf8").catch(() => undefined);
      const stranded = (await strandedClients(layout, installedCa, trust.clientCaPem, options.now)).filter(
        (client) => client.group !== SANDBOX_GROUP || client.commonName !== state.superuser,
      );
      if (stranded.length > 0) throw strandedClientsError(stranded);
    }
    await ensureSuperuserCertificate(layout, options.clientCa ?? ca, state.superuser, options.now, trust.clientCaPem);
    const deployed = await deployServerTls(layout, ca, crlPem, state.pgdata, options.now, trust);
    server = deployed.server;
    if (await readPostmasterPid(state.pgdata)) {
      action = "running";
      if (deployed.changed) await pgCtl(state, user, ["reload", "-s", "-D", state.pgdata]);
    } else {
      action = "started";
      await startServer(state, user);
    }
  } else {
    ({ state, server } = await createSandbox(dir, layout, ca, crlPem, options));
    action = "created";
    await startServer(state, user);
  }
  const served = await checkServed(state.pgdata, server.certPem, (await serverTrust(layout, ca)).rootPem, "127.0.0.1");
  return { state, action, serverCertificate: server, served };
}

/** The sandbox in `dir`, or exit 4 saying how to start one (or where a quickstart's is). */
export async function requireState(dir: string): Promise<SandboxState> {
  const state = await readSandboxState(dir);
  if (!state) {
    // `pgwarden quickstart --dir D` puts its sandbox in D/sandbox: the person may well give D.
    const inner = join(resolve(dir), "sandbox");
    if (await readSandboxState(inner).catch(() => undefined)) {
      throw notFoundError(
        "no-sandbox",
        `no sandbox in ${resolve(dir)}, but there is one in ${inner}: give --dir ${inner}`,
      );
    }
    throw notFoundError("no-sandbox", `no sandbox in ${resolve(dir)}: start one with pgwarden sandbox up --dir ${dir}`);
  }
  return state;
}

/**
 * Whether `dir` holds a sandbox pgwarden made: its state names this directory's own entries, and
 * the data directory carries the settings createSandbox wrote (a hand-written sandbox.json does not).
 */
async function madeBySandboxUp(dir: string, state: SandboxState): Promise<boolean> {
  const own = (name: string) => join(dir, name);
  const named = [
    state.dir === dir,
    state.pgdata === own(SANDBOX_ENTRIES.data),
    state.socketDir === own(SANDBOX_ENTRIES.socket),
    state.logFile === own(SANDBOX_ENTRIES.log),
  ];
  if (named.includes(false)) return false;
  const conf = await readFile(join(state.pgdata, "postgresql.conf"), "utf8").catch(() => "");
  const version = await stat(join(state.pgdata, "PG_VERSION")).catch(() => undefined);
  return version !== undefined && conf.split("\n").includes(SANDBOX_CONF_MARK);
}

/**
 * Deletes what sandbox up made in `dir` (its data directory, socket directory, log and state
 * file), then `dir` itself if nothing else is left; returns what was left. A directory that
 * holds no sandbox pgwarden made loses nothing.
 */
async function purgeSandbox(dir: string, state: SandboxState): Promise<{ removed: boolean; left: string[] }> {
  const made = await madeBySandboxUp(dir, state);
  if (made) {
    await rm(join(dir, SANDBOX_ENTRIES.data), { recursive: true, force: true });
    // The socket directory holds the server's socket and lock files only while it runs: anything else in it stays.
    const socketDir = join(dir, SANDBOX_ENTRIES.socket);
    // A link in its place leads elsewhere (another server's socket directory): it is left alone.
    if ((await lstat(socketDir).catch(() => undefined))?.isDirectory()) {
      const sockets = await readdir(socketDir).catch(() => []);
      await Promise.all(
        sockets
          .filter((name) => name.startsWith(".s.PGSQL."))
          .map((name) => rm(join(socketDir, name), { force: true })),
      );
      await rmdir(socketDir).catch(() => undefined);
    }
    await rm(join(dir, SANDBOX_ENTRIES.log), { force: true });
    await rm(join(dir, SANDBOX_ENTRIES.state), { force: true });
  }
  const left = await readdir(dir).catch(() => []);
  if (left.length === 0) await rmdir(dir).catch(() => undefined);
  return { removed: made, left: left.sort() };
}

/**
 * Stops the sandbox's server (fast shutdown); `purge` also deletes what sandbox up made in its
 * directory (`purged`), and the directory once empty: `left` names what stays (what pgwarden did not make).
 */
export async function sandboxDown(
  dir: string,
  options: { purge?: boolean } = {},
): Promise<{ state: SandboxState; wasRunning: boolean; purged: boolean; left: string[] }> {
  const state = await requireState(dir);
  // Its binDir is run: a sandbox.json the server's account (or anyone) rewrote is not acted on.
  const untrusted = await untrustedState(dir);
  if (untrusted !== undefined)
    throw usageError(
      "sandbox-state-untrusted",
      `${untrusted}: pgwarden will not run the programs it names; nothing was stopped or deleted`,
    );
  // A sandbox.json anyone may have written could name any data directory: only a sandbox
  // pgwarden made in this very directory is stopped (and purged).
  if (!(await madeBySandboxUp(resolve(dir), state))) {
    throw usageError(
      "not-a-sandbox",
      `${join(resolve(dir), SANDBOX_ENTRIES.state)} does not describe a sandbox pgwarden made in ${resolve(dir)} (its data directory, settings or paths are not that sandbox's): nothing was stopped or deleted`,
    );
  }
  const wasRunning = (await readPostmasterPid(state.pgdata)) !== undefined;
  if (wasRunning) {
    const stopped = await pgCtl(state, await serverUser(), ["stop", "-D", state.pgdata, "-m", "fast", "-w", "-s"]);
    if (stopped.code !== 0)
      throw new PgwardenError("sandbox-stop-failed", `pg_ctl stop failed: ${stopped.output}`, ExitCode.connection);
  }
  // The directory asked for, never the one sandbox.json names: that file may have been written by anyone.
  const purge = options.purge ? await purgeSandbox(resolve(dir), state) : { removed: false, left: [] };
  return { state, wasRunning, purged: purge.removed, left: purge.left };
}

export interface SandboxStatus {
  readonly state: SandboxState;
  readonly running: boolean;
  /** From a real TLS handshake with the running server, verified against the CA for "localhost". */
  readonly probe?: TlsProbe;
}

export async function sandboxStatus(dir: string, caPem: string): Promise<SandboxStatus> {
  const state = await requireState(dir);
  const running = (await readPostmasterPid(state.pgdata)) !== undefined;
  if (!running) return { state, running };
  const probe = await probeTls({ host: "127.0.0.1", port: state.port, ca: caPem, servername: SANDBOX_HOST });
  return { state, running, probe };
}
