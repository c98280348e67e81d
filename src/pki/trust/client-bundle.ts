import { X509Certificate } from "node:crypto";
import { lstat, readFile, readlink, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join, resolve, sep } from "node:path";

import { notFoundError, pkiError, usageError } from "../../core/errors.js";
import {
  ensureDirectory,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  syncDirectory,
} from "../../core/fs/atomic-write.js";
import { writeKeepingBackup } from "../../core/fs/backup.js";
import { assertAncestorsSafe, assertOwnedByUs, type DirUse } from "../../core/fs/safe-dir.js";
import { readCertificateFile } from "../authority/certificate-authority.js";
import { combinedCrlPath } from "../authority/issuers.js";
import { decodeCertificates, decodePemBlocks } from "../encoding/pem.js";
import { fullChainPath } from "../issuing/issue.js";
import { privateKeyFileProblem, readPrivateKeyFile } from "../keys/key-file.js";
import { parseSubjectAltName } from "../names/subject-alt-name.js";
import { leafPaths, type PkiLayout, validateGroup } from "../pki-layout.js";
import { crlInfo } from "../revocation/crl-info.js";
import { validateRoleName } from "../role-name.js";
import {
  type CertificateLogin,
  jdbcUrl,
  libpqConninfo,
  nodePostgresUrl,
  psqlCommand,
  psycopgConnect,
} from "./conninfo.js";

export type BundleFormat = "pem" | "pk8";

export interface ExportOptions {
  /** The role (client certificate CN). */
  readonly commonName: string;
  /** `pem`: the libpq files; `pk8`: those and postgresql.pk8 for JDBC. */
  readonly format: BundleFormat;
  /** Created (0700) when missing; `libpqUserDir()` for libpq's default place. */
  readonly outDir: string;
  /** Where the certificate lives under the PKI root. Default `client`. */
  readonly group?: string;
  /** For the connection strings: a DNS name or IP address. Default `localhost`. */
  readonly host?: string;
  /** Default 5432. */
  readonly port?: number;
  /** Default `postgres`. */
  readonly dbname?: string;
  /** Names backups. Default now. */
  readonly now?: Date;
  /** What named outDir, for messages (`--out`, or `~/.postgresql` for --install). Default `--out`. */
  readonly dirFlag?: string;
  /**
   * Ship the PKI's combined CRL as root.crl and name it (sslcrl) in the strings. Default true; false (`--no-crl`)
   * for clients nobody will refresh: a client copy past its nextUpdate makes libpq refuse every server.
   */
  readonly crl?: boolean;
}

export interface ExportedFile {
  readonly path: string;
  readonly mode: number;
  /** A different file that was there before, kept under this name (`<name>.<time>.bak`). */
  readonly backup?: string;
}

/** Connection strings with sslmode=verify-full and the bundle's absolute paths, one per client. */
export interface ConnectionStrings {
  /** libpq keyword/value string (psql, psycopg, any libpq program). */
  readonly libpq: string;
  /** A psql command line, quoted for a POSIX shell. */
  readonly psql: string;
  /** node-postgres URL; absent when the database name cannot be written in its URL path. */
  readonly nodePostgres?: string;
  /** A Python `psycopg.connect(...)` call. */
  readonly psycopg: string;
  /** JDBC URL; only with `--key-format pk8` (pgjdbc reads a DER PKCS#8 key). */
  readonly jdbc?: string;
}

export interface ExportResult extends ConnectionStrings {
  /** The absolute directory the bundle was written to. */
  readonly dir: string;
  readonly files: ExportedFile[];
  /** The CRL shipped as root.crl, when one was: the client copy must be refreshed before `nextUpdate`. */
  readonly crl?: ShippedCrl;
}

/** The CRL a bundle ships: where it went and when libpq stops accepting it. */
export interface ShippedCrl {
  readonly path: string;
  /** The soonest nextUpdate of the CRLs in the file (absent when none has one). */
  readonly nextUpdate?: Date;
}

/**
 * The combined CRL to ship, or undefined when the PKI has none. Refused (exit 7) when one of its CRLs is past its
 * nextUpdate (or cannot be read): libpq with sslcrl would refuse every server certificate that issuer signed.
 */
async function crlToShip(layout: PkiLayout, now: Date): Promise<{ pem: string; nextUpdate?: Date } | undefined> {
  const path = combinedCrlPath(layout);
  const pem = await readFile(path, "utf8").catch(() => undefined);
  if (pem === undefined) return undefined;
  let nextUpdate: Date | undefined;
  for (const block of decodePemBlocks(pem).filter((candidate) => candidate.label === "X509 CRL")) {
    let next: Date | undefined;
    try {
      next = crlInfo(block.der).nextUpdate;
    } catch {
      throw pkiError(
        "crl-unreadable",
        `${path} holds a CRL that cannot be read: run pgwarden crl first, or export with --no-crl`,
      );
    }
    if (next === undefined) continue;
    if (next.getTime() <= now.getTime())
      throw pkiError(
        "crl-expired",
        `refusing to ship ${path}: a CRL in it expired on ${next.toISOString()} (nextUpdate) and libpq would refuse every server; run pgwarden crl first (or export with --no-crl)`,
      );
    if (nextUpdate === undefined || next < nextUpdate) nextUpdate = next;
  }
  return { pem, ...(nextUpdate === undefined ? {} : { nextUpdate }) };
}

/** libpq's default file names under ~/.postgresql/ (pgjdbc's too, for postgresql.pk8). */
export const BUNDLE_FILES = {
  cert: "postgresql.crt",
  key: "postgresql.key",
  pk8: "postgresql.pk8",
  /** The leaf alone, for pgjdbc, when postgresql.crt holds leaf + intermediate (see exportClientBundle). */
  jdbcCert: "postgresql-jdbc.crt",
  root: "root.crt",
  crl: "root.crl",
} as const;

/**
 * Where libpq looks for the bundle by default: `~/.postgresql`, with the home directory as
 * Node finds it (`$HOME`, else the password database). libpq 15.18 here reads `$HOME` too
 * (test/client-proofs.test.ts relies on it).
 */
export function libpqUserDir(home: string = homedir()): string {
  return join(home, ".postgresql");
}

/** Where `dir` really is: its deepest existing directory with links resolved, and the part still to be made. */
async function realLocation(dir: string): Promise<string> {
  const real = await realpath(dir).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = dirname(dir);
  return parent === dir ? dir : join(await realLocation(parent), basename(dir));
}

/**
 * Every symbolic link on the way to `dir` (as given) must stay where it points: one another user
 * owns, or one in a directory others can change, can be re-pointed at their directory after the
 * check. A link to nothing is refused rather than made into a directory through.
 */
async function assertLinksSafe(dir: string, use: DirUse): Promise<void> {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const parts = dir.split(sep).filter((part) => part !== "");
  for (let index = 1; index <= parts.length; index += 1) {
    const path = `${sep}${parts.slice(0, index).join(sep)}`;
    const info = await lstat(path).catch(() => undefined);
    if (!info) return;
    if (!info.isSymbolicLink()) continue;
    if (
      !(await stat(path).then(
        () => true,
        () => false,
      ))
    ) {
      throw usageError(
        `${use.code}-dangling-link`,
        `${path} (on the way to ${use.flag}) is a symbolic link to ${await readlink(path)}, which does not exist: make that directory, or give another ${use.flag}`,
      );
    }
    if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
      throw pkiError(
        `${use.code}-link-owner`,
        `${path} (on the way to ${use.flag}) is a symbolic link owned by uid ${info.uid}: they could point it elsewhere (${use.why}); give a path without it`,
      );
    }
    await assertAncestorsSafe(dirname(path), use);
  }
}

/**
 * root.crt decides whom verify-full trusts: a directory another user may write (or one above it
 * they may rename entries in) lets them swap it for their own CA, or read the key. Checked where
 * links lead (~/.postgresql may be a link), before anything is written; a sticky /tmp above a
 * directory of ours is fine.
 */
async function assertSafeBundleDir(dir: string, flag: string): Promise<void> {
  const use: DirUse = { flag, code: "export-dir", why: "they could swap root.crt for their own CA or read the key" };
  await assertLinksSafe(resolve(dir), use);
  const real = await realLocation(dir);
  await assertOwnedByUs(real, real === dir ? "the bundle directory" : `the bundle directory ${dir} leads to`, use);
  await assertAncestorsSafe(real, use);
}

/** Writes one bundle file with exactly `mode`, keeping a different file already there as a backup. */
async function writeBundleFile(
  path: string,
  data: string | Uint8Array,
  mode: number,
  now: Date,
): Promise<ExportedFile> {
  // rewriteSame: an identical file is still rewritten, so a key left group-readable becomes 0600.
  const { backup } = await writeKeepingBackup(path, data, { mode, rewriteSame: true }, now);
  return backup === undefined ? { path, mode } : { path, mode, backup };
}

/**
 * `<cn>.fullchain.crt` beside the certificate (leaf, then the intermediate that signed it) when it holds
 * this very leaf first; undefined without one (the root signed) or when it is stale.
 */
async function fullChainOf(certPath: string, leafDer: Buffer): Promise<string | undefined> {
  const text = await readFile(fullChainPath(certPath), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const [first, ...rest] = decodeCertificates(text, fullChainPath(certPath), "pki");
    return first?.equals(leafDer) && rest.length > 0 ? text : undefined;
  } catch {
    return undefined;
  }
}

/** The host as connection strings need it: a DNS name or an IP address, which the server certificate must name. */
function serverHost(host: string): string {
  try {
    return parseSubjectAltName(host).value;
  } catch {
    throw usageError(
      "bad-host",
      `--host ${JSON.stringify(host)} is not a DNS name or an IP address: give the name the server certificate holds`,
    );
  }
}

/**
 * Exports a client certificate as libpq wants it (postgresql.crt: the leaf, followed by its intermediate
 * when one signed it; postgresql.key 0600; root.crt, the root; root.crl, the PKI's combined CRL when there
 * is one, named by sslcrl in the libpq strings) and, for `pk8`, also the DER PKCS#8 key JDBC wants (postgresql.pk8). A key that
 * group or others can read, or another user's, is refused before anything is written: libpq would refuse it
 * too, and it has already leaked. So is a directory other users may write, or one under a directory they may change.
 */
export async function exportClientBundle(
  layout: PkiLayout,
  rootPem: string,
  options: ExportOptions,
): Promise<ExportResult> {
  const cn = validateRoleName(options.commonName);
  const paths = leafPaths(layout, validateGroup(options.group ?? "client"), cn);
  const host = serverHost(options.host ?? "localhost");
  const port = options.port ?? 5432;
  const dbname = options.dbname ?? "postgres";
  if (dbname === "") throw usageError("bad-dbname", "--dbname is empty: give a database name");
  const now = options.now ?? new Date();
  const { der, pem } = await readCertificateFile(paths.cert, `certificate for ${cn}`);
  // Checked before anything is written: an expired CRL is refused with the bundle left as it was.
  const crl = options.crl === false ? undefined : await crlToShip(layout, now);
  const keyInfo = await stat(paths.key).catch(() => undefined);
  if (!keyInfo)
    throw notFoundError(
      "key-missing",
      `no key for ${cn} at ${paths.key}: a certificate signed from a CSR is exported by whoever holds its key`,
    );
  const keyProblem = privateKeyFileProblem(paths.key, keyInfo);
  if (keyProblem) {
    const libpq = keyProblem.code === "key-permissions" ? " (libpq refuses such keys)" : "";
    throw pkiError(
      keyProblem.code,
      `refusing to export ${paths.key}: ${keyProblem.problem}${libpq}; ${keyProblem.fix} and issue a new key if others may have read it`,
    );
  }
  const key = await readPrivateKeyFile(paths.key, { label: "client key" });
  if (!new X509Certificate(der).checkPrivateKey(key))
    throw pkiError("key-mismatch", `${paths.key} does not belong to ${paths.cert}`);

  // Absolute paths, so the printed connection strings work from any directory.
  const dir = resolve(options.outDir);
  await assertSafeBundleDir(dir, options.dirFlag ?? "--out");
  await ensureDirectory(dir, PRIVATE_DIR_MODE);
  const out = (name: string) => join(dir, name);
  const files: ExportedFile[] = [];
  // With an intermediate, the client sends it after its leaf: the server trusts the client issuer's anchor.
  const certificatePem = (await fullChainOf(paths.cert, der)) ?? pem;
  files.push(await writeBundleFile(out(BUNDLE_FILES.cert), certificatePem, PUBLIC_FILE_MODE, now));
  files.push(
    await writeBundleFile(
      out(BUNDLE_FILES.key),
      key.export({ type: "pkcs8", format: "pem" }).toString(),
      PRIVATE_FILE_MODE,
      now,
    ),
  );
  const chained = certificatePem !== pem;
  if (options.format === "pk8") {
    files.push(
      await writeBundleFile(
        out(BUNDLE_FILES.pk8),
        key.export({ type: "pkcs8", format: "der" }),
        PRIVATE_FILE_MODE,
        now,
      ),
    );
    // pgjdbc (LazyKeyManager) sends its certificate only when the issuer of the file's LAST certificate is among
    // the server's CA names: with leaf + intermediate that is the root, which a server trusting the client issuer
    // alone does not name. The leaf alone is what such a server needs (its issuer is the client anchor's subject).
    if (chained) files.push(await writeBundleFile(out(BUNDLE_FILES.jdbcCert), pem, PUBLIC_FILE_MODE, now));
  }
  files.push(await writeBundleFile(out(BUNDLE_FILES.root), rootPem, PUBLIC_FILE_MODE, now));
  // Shipped only when the PKI has one (crl/combined.crl, written by pgwarden crl) and --no-crl was not given.
  if (crl !== undefined) files.push(await writeBundleFile(out(BUNDLE_FILES.crl), crl.pem, PUBLIC_FILE_MODE, now));
  await syncDirectory(dir);

  const login: CertificateLogin = {
    host,
    port,
    dbname,
    user: cn,
    sslrootcert: out(BUNDLE_FILES.root),
    sslcert: out(BUNDLE_FILES.cert),
    sslkey: out(BUNDLE_FILES.key),
    ...(crl === undefined ? {} : { sslcrl: out(BUNDLE_FILES.crl) }),
  };
  const libpq = libpqConninfo(login);
  const nodePostgres = nodePostgresUrl(login);
  return {
    dir,
    files,
    libpq,
    psql: psqlCommand(libpq),
    ...(nodePostgres === undefined ? {} : { nodePostgres }),
    psycopg: psycopgConnect(libpq),
    ...(crl === undefined
      ? {}
      : {
          crl: { path: out(BUNDLE_FILES.crl), ...(crl.nextUpdate === undefined ? {} : { nextUpdate: crl.nextUpdate }) },
        }),
    ...(options.format === "pk8"
      ? {
          jdbc: jdbcUrl(chained ? { ...login, sslcert: out(BUNDLE_FILES.jdbcCert) } : login, out(BUNDLE_FILES.pk8)),
        }
      : {}),
  };
}
