import { X509Certificate } from "node:crypto";
import { lstat, readFile, readlink, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

import { ExitCode, notFoundError, PgwardenError, pkiError, usageError } from "../core/errors.js";
import { PRIVATE_FILE_MODE } from "../core/fs/atomic-write.js";
import { writeKeepingBackup } from "../core/fs/backup.js";
import { fingerprintSha256 } from "../pki/issuing/leaf-signer.js";
import type { PkiLayout } from "../pki/pki-layout.js";
import { readRecords } from "../pki/records/certificate-records.js";
import { isRoot, type OsUser, ownerOf, runProgram } from "./os-user.js";
import { probeAddress, readPostmasterPid } from "./postmaster.js";
import { autoConfOverrides, PGWARDEN_CONF, renderPgwardenConf, withInclude } from "./server-config.js";
import { probeTls, type TlsProbe } from "./tls-probe.js";

/** PEM material for a server's TLS: its certificate and key, the CA its clients must chain to, and a CRL. */
export interface ServerTlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
  readonly crlPem?: string;
}

export const TLS_FILES = { cert: "server.crt", key: "server.key", ca: "root.crt", crl: "root.crl" } as const;
export const MIN_TLS_VERSION = "TLSv1.2";

export function tlsSettings(withCrl: boolean): Record<string, string> {
  return {
    ssl: "on",
    ssl_cert_file: TLS_FILES.cert,
    ssl_key_file: TLS_FILES.key,
    ssl_ca_file: TLS_FILES.ca,
    ssl_crl_file: withCrl ? TLS_FILES.crl : "",
    ssl_min_protocol_version: MIN_TLS_VERSION,
  };
}

export interface PlannedFile {
  readonly path: string;
  readonly what: string;
  readonly action: "create" | "replace" | "unchanged";
  readonly mode: number;
}

export interface TlsPlan {
  readonly pgdata: string;
  /** postgresql.conf that includes pgwarden.conf; absent when the settings go through ALTER SYSTEM. */
  readonly configFile?: string;
  readonly owner: OsUser;
  readonly files: PlannedFile[];
  readonly settings: Record<string, string>;
  /** Settings that postgresql.auto.conf (ALTER SYSTEM) overrides. */
  readonly overridden: string[];
  readonly changed: boolean;
}

interface PlannedWrite {
  readonly file: PlannedFile;
  readonly content: string;
}

/**
 * PostgreSQL's own rule for the server key (be-secure-common.c): owned by the server's
 * account with no group or other access, or owned by root with at most group read.
 */
export function serverKeyProblem(info: { mode: number; uid: number }, serverUid: number): string | undefined {
  const mode = info.mode & 0o777;
  if (info.uid === serverUid && (mode & 0o077) === 0) return undefined;
  if (info.uid === 0 && (mode & 0o037) === 0) return undefined;
  if (info.uid !== serverUid && info.uid !== 0)
    return `it is owned by uid ${info.uid}, not by the server's account or root`;
  return `it has group or world access (mode ${mode.toString(8).padStart(4, "0")})`;
}

async function plannedFile(path: string, what: string, content: string): Promise<PlannedWrite> {
  const old = await readFile(path, "utf8").catch(() => undefined);
  const action = old === undefined ? "create" : old === content ? "unchanged" : "replace";
  return { file: { path, what, action, mode: PRIVATE_FILE_MODE }, content };
}

export interface PlanOptions {
  readonly pgdata: string;
  /** postgresql.conf; default PGDATA/postgresql.conf (Debian keeps it in /etc/postgresql/<v>/<cluster>/). */
  readonly configFile?: string;
  /** Rewrite a key whose mode or owner PostgreSQL would refuse. */
  readonly force?: boolean;
  /** Where the settings go: pgwarden.conf plus an include line (default), or ALTER SYSTEM (done by the caller). */
  readonly settingsVia?: "config-file" | "alter-system";
}

/**
 * A symbolic link among the files pg tls replaces is refused: backing it up by reading it would
 * copy whatever it points at (as root, a file only root may read) into PGDATA. --force replaces
 * the link, keeping a copy of the link itself.
 */
async function refuseSymlink(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isSymbolicLink()) return;
  const target = resolve(dirname(path), await readlink(path));
  throw usageError(
    "symlink-in-pgdata",
    `${path} is a symbolic link: pgwarden will not follow it into ${target}; replace it with the file itself, ` +
      "or pass --force to replace the link (the link kept as .bak)",
  );
}

/** Works out what `pg tls` would change, reading but never writing. */
export async function planTls(
  material: ServerTlsMaterial,
  options: PlanOptions,
): Promise<{ plan: TlsPlan; writes: PlannedWrite[] }> {
  const pgdata = options.pgdata;
  const version = await readFile(join(pgdata, "PG_VERSION"), "utf8").catch(() => undefined);
  if (version === undefined)
    throw notFoundError(
      "no-pgdata",
      `${pgdata} is not a PostgreSQL data directory (no PG_VERSION): give --pgdata the cluster's data directory`,
    );
  const viaConfig = options.settingsVia !== "alter-system";
  const configFile = viaConfig ? (options.configFile ?? join(pgdata, "postgresql.conf")) : undefined;
  const conf = configFile === undefined ? "" : await readFile(configFile, "utf8").catch(() => undefined);
  if (conf === undefined)
    throw notFoundError(
      "no-config",
      `${configFile} not found: give --config-file the cluster's postgresql.conf (Debian: /etc/postgresql/<version>/<cluster>/postgresql.conf)`,
    );
  const owner = await ownerOf(pgdata);
  const keyPath = join(pgdata, TLS_FILES.key);
  const keyInfo = await stat(keyPath).catch(() => undefined);
  const keyProblem = keyInfo ? serverKeyProblem(keyInfo, owner.uid) : undefined;
  const settings = tlsSettings(material.crlPem !== undefined);
  const include = withInclude(conf);
  const writes = await Promise.all([
    plannedFile(join(pgdata, TLS_FILES.cert), "server certificate", material.certPem),
    plannedFile(keyPath, "server key", material.keyPem),
    plannedFile(join(pgdata, TLS_FILES.ca), "CA for client certificates", material.caPem),
    ...(material.crlPem === undefined
      ? []
      : [plannedFile(join(pgdata, TLS_FILES.crl), "certificate revocation list", material.crlPem)]),
    ...(configFile === undefined
      ? []
      : [plannedFile(join(dirname(configFile), PGWARDEN_CONF), "pgwarden's settings", renderPgwardenConf(settings))]),
  ]);
  // A key with the right content but a mode PostgreSQL refuses is rewritten under --force.
  const fixed = writes.map((write) =>
    write.file.path === keyPath && keyProblem && write.file.action === "unchanged"
      ? { ...write, file: { ...write.file, action: "replace" as const } }
      : write,
  );
  if (configFile !== undefined && include.added)
    fixed.push({
      file: {
        path: configFile,
        what: `include line for ${PGWARDEN_CONF}`,
        action: "replace",
        mode: (await stat(configFile)).mode & 0o777,
      },
      content: include.text,
    });
  if (!options.force)
    for (const write of fixed) if (write.file.action !== "unchanged") await refuseSymlink(write.file.path);
  if (keyProblem && !options.force) {
    throw pkiError(
      "server-key-mode",
      `${keyPath}: ${keyProblem}, so PostgreSQL refuses it ("private key file has group or world access") and keeps its old TLS setup: chmod 0600 it (owner ${owner.name}), or pass --force to let pgwarden rewrite it`,
    );
  }
  const overridden = viaConfig
    ? await autoConfOverrides(join(pgdata, "postgresql.auto.conf"), Object.keys(settings))
    : [];
  const files = fixed.map((write) => write.file);
  return {
    plan: {
      pgdata,
      configFile,
      owner,
      files,
      settings,
      overridden,
      changed: files.some((file) => file.action !== "unchanged"),
    },
    writes: fixed,
  };
}

/** Writes what the plan says, each file atomically, owned by PGDATA's owner, keeping backups. */
export async function applyTls(
  plan: TlsPlan,
  writes: readonly PlannedWrite[],
  now: Date,
): Promise<{ path: string; backup?: string }[]> {
  const owner = isRoot() ? { uid: plan.owner.uid, gid: plan.owner.gid } : undefined;
  const done: { path: string; backup?: string }[] = [];
  for (const write of writes) {
    if (write.file.action === "unchanged") continue;
    const result = await writeKeepingBackup(
      write.file.path,
      write.content,
      { mode: write.file.mode, owner, backupOwner: owner, rewriteSame: true },
      now,
    );
    done.push({ path: result.path, backup: result.backup });
  }
  return done;
}

export interface ServedCheck {
  readonly running: boolean;
  readonly probe?: TlsProbe;
  /** The served certificate is the one installed. */
  readonly matches?: boolean;
}

const RELOAD_WAIT_MS = 5000;

/** Asks the running server to re-read its configuration (pg_ctl reload, as PGDATA's owner). */
export async function reloadServer(pgBinDir: string, pgdata: string, owner: OsUser): Promise<void> {
  const result = await runProgram(join(pgBinDir, "pg_ctl"), ["reload", "-s", "-D", pgdata], { user: owner });
  if (result.code !== 0)
    throw new PgwardenError(
      "reload-failed",
      `pg_ctl reload failed: ${result.stderr.trim() || result.stdout.trim()}`,
      ExitCode.connection,
    );
}

/**
 * Checks from a real TLS handshake that the server serves `certPem`, waiting a little for
 * a reload to take; a server that is not running is reported, not an error. The handshake
 * reaches `host` (default: from postmaster.pid, on loopback) and verifies the certificate
 * for `servername` (default: that address), as a client with sslmode=verify-full would.
 */
export async function checkServed(
  pgdata: string,
  certPem: string,
  caPem: string,
  host?: string,
  waitMs: number = RELOAD_WAIT_MS,
  servername?: string,
): Promise<ServedCheck> {
  const info = await readPostmasterPid(pgdata);
  if (!info) return { running: false };
  const expected = fingerprintSha256(new X509Certificate(certPem).raw);
  const address = host ?? probeAddress(info);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const probe = await probeTls({ host: address, port: info.port, ca: caPem, servername });
    const matches = probe.fingerprintSha256 === expected;
    if (matches || Date.now() > deadline) return { running: true, probe, matches };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Lines of the server log that say why a reload did not take (PostgreSQL logs the reason, then "SSL configuration was not reloaded"). */
export async function reloadRejection(pgdata: string, logFile?: string): Promise<string | undefined> {
  let path = logFile;
  if (path === undefined) {
    const current = await readFile(join(pgdata, "current_logfiles"), "utf8").catch(() => undefined);
    const named = current
      ?.split("\n")
      .find((line) => line.startsWith("stderr "))
      ?.slice("stderr ".length)
      .trim();
    if (named) path = named.startsWith("/") ? named : join(pgdata, named);
  }
  if (path === undefined) return undefined;
  const text = await readFile(path, "utf8").catch(() => "");
  const lines = text.split("\n");
  const last = lines
    .map((line, index) => (line.includes("SSL configuration was not reloaded") ? index : -1))
    .filter((index) => index >= 0)
    .pop();
  if (last === undefined) return undefined;
  const reason = lines
    .slice(Math.max(0, last - 3), last)
    .filter((line) => /LOG|FATAL|ERROR|DETAIL/.test(line) && !line.includes("received SIGHUP"))
    .pop();
  return reason?.replace(/^.*?(LOG|FATAL|ERROR|DETAIL):\s*/, "").trim();
}

/** One line on why a reload left the old certificate in place. */
export function notServedError(check: ServedCheck, rejection: string | undefined, keyProblem?: string): PgwardenError {
  const reason =
    rejection ?? keyProblem ?? 'PostgreSQL\'s log says why (look for "SSL configuration was not reloaded")';
  return new PgwardenError(
    "reload-rejected",
    `PostgreSQL did not take the new TLS configuration: it still serves ${check.probe?.subject ?? "another certificate"} (sha256 ${check.probe?.fingerprintSha256 ?? "?"}): ${reason}`,
    ExitCode.checkFailed,
  );
}

/**
 * The served certificate does not verify against the CA for the name clients use (the
 * handshake said "verified: no"): every sslmode=verify-full client fails the same way, so
 * this is a PKI failure (exit 7), never a success. `hint` says what to do about it.
 */
export function unverifiedError(check: ServedCheck, servername: string, hint: string): PgwardenError {
  const probe = check.probe;
  const what = check.matches
    ? "the certificate pgwarden installed"
    : `${probe?.subject ?? "a certificate"} (not the one pgwarden installed)`;
  return pkiError(
    "served-unverified",
    `the server serves ${what}, and it does not verify against the CA for ${servername}: ${probe?.verifyError ?? "unknown reason"}; ` +
      `sslmode=verify-full clients will fail: ${hint}`,
  );
}

/**
 * Refuses to replace a server.crt in PGDATA that pgwarden did not make (no record of it in
 * the inventory) unless `force`: a certificate installed by hand may carry names or a CA that
 * clients depend on. `keptPem` is a certificate pgwarden would install unchanged (so no
 * replacement at all). With `force` the old files are replaced and kept as .bak by {@link applyTls}.
 */
export async function checkInstalledCertificate(
  pgdata: string,
  layout: PkiLayout,
  keptPem: string | undefined,
  force: boolean,
): Promise<void> {
  const path = join(pgdata, TLS_FILES.cert);
  if (!force) await refuseSymlink(path);
  const installed = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (installed === undefined || installed === keptPem || force) return;
  let cert: X509Certificate | undefined;
  try {
    cert = new X509Certificate(installed);
  } catch {
    cert = undefined;
  }
  if (cert) {
    const fingerprint = fingerprintSha256(cert.raw);
    if ((await readRecords(layout)).records.some((record) => record.fingerprintSha256 === fingerprint)) return;
  }
  const what = cert
    ? `${cert.subject.split("\n").join(", ")}, issuer ${cert.issuer.split("\n").join(", ")}, names ${cert.subjectAltName ?? "none"}`
    : "not a readable PEM certificate";
  throw usageError(
    "foreign-installed-certificate",
    `${path} was not made by pgwarden (${what}), so pg tls will not replace it and ${TLS_FILES.key}: ` +
      "pass --force to replace both (kept as .bak), with a --san for each name clients use to reach this server",
  );
}
