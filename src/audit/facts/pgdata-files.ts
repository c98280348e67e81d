import { type Stats } from "node:fs";
import { lstat, open, readdir, readlink, realpath } from "node:fs/promises";
import { endianness } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

import { type Fact, FactUnavailable, type ServerSource } from "../fact.js";
import { settingsFact, settingValue } from "./settings.js";

/** What lstat says about one path (a symlink is reported as a symlink, with where it points). */
export interface PathInfo {
  readonly path: string;
  readonly kind: "directory" | "file" | "symlink" | "other";
  /** The permission bits (`0o700`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** For a symlink: what it points to, as written. */
  readonly linkTarget?: string;
  /** For a symlink: what lstat says about the path it finally resolves to, when it resolves. */
  readonly resolved?: PathInfo;
}

/** The data directory as the audit found it on disk (--pgdata, on the server's host). */
export interface PgdataFiles {
  /** --pgdata, absolute. */
  readonly dir: string;
  readonly pgdata: PathInfo;
  /** The entries directly under PGDATA, each by lstat. */
  readonly entries: readonly PathInfo[];
  /** The HBA file the server reads (setting hba_file when visible, else PGDATA/pg_hba.conf). */
  readonly hbaFile?: PathInfo;
}

/**
 * The modes, owners and links of the data directory, its top-level entries and the HBA file,
 * read with lstat (a symlink is followed only explicitly, to report what it points to).
 * Nothing is written. Not applicable without --pgdata; failed when --pgdata cannot be read or
 * is another cluster's directory (its system identifier differs from the server's).
 */
export const pgdataFilesFact: Fact<PgdataFiles> = {
  id: "pgdata-files",
  scope: "server",
  async collect(source) {
    if (source.pgdata === undefined)
      throw new FactUnavailable({ kind: "not-applicable", reason: "no --pgdata: the data directory is not on hand" });
    const dir = resolve(source.pgdata);
    const pgdata = await inspect(dir, `--pgdata ${dir}`);
    if (pgdata.kind !== "directory" && pgdata.resolved?.kind !== "directory")
      throw new FactUnavailable({ kind: "failed", reason: `--pgdata ${dir} is not a directory` });
    await assertSameCluster(source, dir);
    const names = await readdir(dir).catch((error: unknown) => unreadable(dir, error));
    const entries = await Promise.all(names.sort().map((name) => inspect(join(dir, name), name)));
    const hbaPath = await hbaFilePath(source, dir);
    const hbaFile = await inspect(hbaPath, hbaPath).catch(() => undefined);
    return { dir, pgdata, entries, ...(hbaFile ? { hbaFile } : {}) };
  },
};

/** lstat, and for a symlink where it points and what is there. */
async function inspect(path: string, what: string): Promise<PathInfo> {
  const info = await lstat(path).catch((error: unknown) => unreadable(what, error));
  const own = describe(path, info);
  if (own.kind !== "symlink") return own;
  const linkTarget = await readlink(path);
  const target = await realpath(path).catch(() => undefined);
  const resolvedInfo = target === undefined ? undefined : await lstat(target).catch(() => undefined);
  return {
    ...own,
    linkTarget,
    ...(target !== undefined && resolvedInfo ? { resolved: describe(target, resolvedInfo) } : {}),
  };
}

function describe(path: string, info: Stats): PathInfo {
  return {
    path,
    kind: info.isSymbolicLink() ? "symlink" : info.isDirectory() ? "directory" : info.isFile() ? "file" : "other",
    mode: info.mode & 0o7777,
    uid: info.uid,
    gid: info.gid,
  };
}

function unreadable(what: string, error: unknown): never {
  const code = (error as NodeJS.ErrnoException).code;
  throw new FactUnavailable({
    kind: "failed",
    reason:
      code === "ENOENT"
        ? `${what} does not exist: give --pgdata the server's data directory`
        : `cannot read ${what} (${code ?? String(error)}): run the audit as root or as the server's OS user`,
  });
}

/** The server's hba_file when the settings show it (relative paths are relative to PGDATA), else the default place. */
async function hbaFilePath(source: ServerSource, dir: string): Promise<string> {
  const hbaFile = await source
    .get(settingsFact)
    .then((settings) => settingValue(settings, "hba_file"))
    .catch(() => undefined);
  if (!hbaFile) return join(dir, "pg_hba.conf");
  return isAbsolute(hbaFile) ? hbaFile : join(dir, hbaFile);
}

/** Bytes 0-7 of global/pg_control hold the system identifier (uint64, host byte order) of the cluster. */
const SYSTEM_IDENTIFIER_BYTES = 8;

/**
 * --pgdata must be the data directory of the server audited, or every host check would judge
 * another cluster's files: compare the system identifier in its pg_control with the server's.
 * Skipped when the login may not run pg_control_system().
 */
async function assertSameCluster(source: ServerSource, dir: string): Promise<void> {
  const control = join(dir, "global", "pg_control");
  const file = await open(control, "r").catch((error: unknown) => unreadable(control, error));
  let onDisk: string;
  try {
    const bytes = Buffer.alloc(SYSTEM_IDENTIFIER_BYTES);
    const { bytesRead } = await file.read(bytes, 0, SYSTEM_IDENTIFIER_BYTES, 0);
    if (bytesRead < SYSTEM_IDENTIFIER_BYTES)
      throw new FactUnavailable({ kind: "failed", reason: `${control} is truncated: is ${dir} a data directory?` });
    onDisk = (endianness() === "LE" ? bytes.readBigUInt64LE(0) : bytes.readBigUInt64BE(0)).toString();
  } finally {
    await file.close();
  }
  const server = await source.client
    .query<{ id: string }>("SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()")
    .then((result) => result.rows[0]?.id)
    .catch(() => undefined);
  if (server !== undefined && server !== onDisk)
    throw new FactUnavailable({
      kind: "failed",
      reason: `--pgdata ${dir} belongs to another cluster (system identifier ${onDisk}, the server's is ${server})`,
    });
}
