import { X509Certificate } from "node:crypto";
import { readFile, rename, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { notFoundError, pkiError } from "../errors.js";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, ensureDirectory, syncDirectory, writeFileAtomic } from "../fs/atomic-write.js";
import { readCertificateFile } from "./certificate-authority.js";
import { conninfo } from "./conninfo.js";
import { readPrivateKeyFile } from "./key-file.js";
import { leafPaths, validateGroup, type PkiLayout } from "./pki-layout.js";
import { validateRoleName } from "./role-name.js";

export type BundleFormat = "pem" | "pk8";

export interface ExportOptions {
  /** The role (client certificate CN). */
  readonly commonName: string;
  readonly format: BundleFormat;
  readonly outDir: string;
  /** Where the certificate lives under the PKI root. Default `client`. */
  readonly group?: string;
  /** For the printed connection strings. */
  readonly host?: string;
  readonly port?: number;
  readonly dbname?: string;
  readonly now?: Date;
}

export interface ExportedFile {
  readonly path: string;
  readonly mode: number;
  /** The file that was there before, kept under this name. */
  readonly backup?: string;
}

export interface ExportResult {
  readonly files: ExportedFile[];
  /** libpq / psql / psycopg keyword-value string with sslmode=verify-full (the PEM bundle). */
  readonly libpq?: string;
  /** JDBC URL (the pk8 bundle: pgjdbc reads a DER PKCS#8 key). */
  readonly jdbc?: string;
}

/** libpq's default file names under ~/.postgresql/. */
export const BUNDLE_FILES = { cert: "postgresql.crt", key: "postgresql.key", pk8: "postgresql.pk8", root: "root.crt" } as const;

/** Writes a file, keeping a different file already there as `<name>.<timestamp>.bak`. */
async function writeKeepingBackup(path: string, data: string | Buffer, mode: number, now: Date): Promise<ExportedFile> {
  const old = await readFile(path).catch(() => undefined);
  let backup: string | undefined;
  if (old !== undefined && !old.equals(Buffer.from(data))) {
    backup = `${path}.${now.toISOString().replace(/[:.]/g, "-")}.bak`;
    await rename(path, backup);
  }
  await writeFileAtomic(path, data, { mode });
  return backup ? { path, mode, backup } : { path, mode };
}

/**
 * Exports a client certificate as libpq wants it (postgresql.crt, postgresql.key 0600,
 * root.crt) or for JDBC (postgresql.pk8, DER PKCS#8). A key that group or others can
 * read is refused: libpq would refuse it too, and it has already leaked.
 */
export async function exportClientBundle(layout: PkiLayout, rootPem: string, options: ExportOptions): Promise<ExportResult> {
  const cn = validateRoleName(options.commonName);
  const paths = leafPaths(layout, validateGroup(options.group ?? "client"), cn);
  const now = options.now ?? new Date();
  const { der, pem } = await readCertificateFile(paths.cert, `certificate for ${cn}`);
  const keyInfo = await stat(paths.key).catch(() => undefined);
  if (!keyInfo) throw notFoundError("key-missing", `no key for ${cn} at ${paths.key}: a certificate signed from a CSR is exported by whoever holds its key`);
  if ((keyInfo.mode & 0o077) !== 0) {
    throw pkiError(
      "key-permissions",
      `refusing to export ${paths.key}: mode ${(keyInfo.mode & 0o777).toString(8).padStart(4, "0")} lets group or others read it (libpq refuses such keys); run chmod 600 ${paths.key} and issue a new key if others may have read it`,
    );
  }
  const key = await readPrivateKeyFile(paths.key, { label: "client key" });
  if (!new X509Certificate(der).checkPrivateKey(key)) throw pkiError("key-mismatch", `${paths.key} does not belong to ${paths.cert}`);

  // Absolute paths, so the printed connection strings work from any directory.
  const outDir = resolve(options.outDir);
  await ensureDirectory(outDir, PRIVATE_DIR_MODE);
  const out = (name: string) => join(outDir, name);
  const files: ExportedFile[] = [];
  files.push(await writeKeepingBackup(out(BUNDLE_FILES.cert), pem, PUBLIC_FILE_MODE, now));
  if (options.format === "pem") {
    files.push(await writeKeepingBackup(out(BUNDLE_FILES.key), key.export({ type: "pkcs8", format: "pem" }).toString(), PRIVATE_FILE_MODE, now));
  } else {
    files.push(await writeKeepingBackup(out(BUNDLE_FILES.pk8), key.export({ type: "pkcs8", format: "der" }), PRIVATE_FILE_MODE, now));
  }
  files.push(await writeKeepingBackup(out(BUNDLE_FILES.root), rootPem, PUBLIC_FILE_MODE, now));
  await syncDirectory(outDir);

  const host = options.host ?? "localhost";
  const port = options.port ?? 5432;
  const dbname = options.dbname ?? "postgres";
  const keyFile = out(options.format === "pem" ? BUNDLE_FILES.key : BUNDLE_FILES.pk8);
  if (options.format === "pem") {
    return { files, libpq: conninfo({ host, port, dbname, user: cn, sslmode: "verify-full", sslrootcert: out(BUNDLE_FILES.root), sslcert: out(BUNDLE_FILES.cert), sslkey: keyFile }) };
  }
  const query = new URLSearchParams({ user: cn, sslmode: "verify-full", sslrootcert: out(BUNDLE_FILES.root), sslcert: out(BUNDLE_FILES.cert), sslkey: keyFile });
  return { files, jdbc: `jdbc:postgresql://${host.includes(":") ? `[${host}]` : host}:${port}/${encodeURIComponent(dbname)}?${query.toString()}` };
}
