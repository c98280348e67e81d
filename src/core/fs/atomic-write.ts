import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsync,
  linkSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { chmod, mkdir, open, readdir, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** File modes used across pgwarden, named for what they protect. */
export const PRIVATE_FILE_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;
export const PRIVATE_DIR_MODE = 0o700;

/** Thrown by {@link writeFileAtomic} with `exclusive` when the target already exists. */
export class FileExistsError extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`${path} already exists`);
    this.name = "FileExistsError";
    this.path = path;
  }
}

export interface AtomicWriteOptions {
  /** Mode of the file from the moment it exists (the temp file is created with it). */
  mode: number;
  /** Fail with {@link FileExistsError} instead of replacing an existing file. Default false. */
  exclusive?: boolean;
  /** Owner to give the file before it gets its content (for files PostgreSQL's account must own). */
  owner?: { readonly uid: number; readonly gid: number };
}

/** Temp files are hidden, carry the writer's pid, and end in `.tmp` so readers can skip them. */
export function isTempFileName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}

let umask: number | undefined;

/** The process umask, read once (reading it is a set-and-restore, so not on every write). */
function currentUmask(): number {
  umask ??= process.umask();
  return umask;
}

/** Temp names within a process: a random prefix drawn once (a reused pid never meets its predecessor's names) and a counter. */
let tempPrefix: string | undefined;
let tempCounter = 0;

/** The next temp file for `path`, named for the writing process (`pid`, this one unless a test says otherwise). */
export function tempPathFor(path: string, pid: number = process.pid): string {
  tempPrefix ??= randomBytes(6).toString("hex");
  tempCounter += 1;
  return join(dirname(path), `.${basename(path)}.${pid}.${tempPrefix}${tempCounter.toString(16)}.tmp`);
}

const TEMP_FILE_PATTERN = /^\..+\.([0-9]+)\.[0-9a-f]+\.tmp$/;

/** Whether a process with this pid exists (a writer that may still be at work). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes temp files left in `dir` by writers that were killed (their pid is gone), so a
 * `kill -9` mid-write leaves nothing behind once pgwarden next writes there.
 */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => {
    const pid = TEMP_FILE_PATTERN.exec(name)?.[1];
    return pid !== undefined && Number(pid) !== process.pid && !processAlive(Number(pid));
  });
  await Promise.all(stale.map((name) => unlink(join(dir, name)).catch(() => undefined)));
  return stale.length;
}

/** fsync on the libuv pool: the one step of a write that waits for the disk. */
function fsyncOnPool(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/**
 * Write a file so that readers (and a `kill -9` at any moment) only ever see the old
 * content or the whole new content: temp file in the same directory, created with its
 * final mode, fsync, then rename (or link, for `exclusive`, which cannot overwrite).
 *
 * Only the fsync waits for the disk, so only it goes to the libuv pool, where several run at
 * once; the other calls (open, write of a few kilobytes, close, link, unlink) return from
 * the page cache in microseconds, less than a round trip to the pool costs, so they are
 * made in place. A fleet of certificates is two such writes each.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions,
): Promise<void> {
  const temp = await writeTempFile(path, data, options);
  try {
    if (options.exclusive) {
      linkExclusive(temp, path);
      unlinkSync(temp);
    } else {
      renameSync(temp, path);
    }
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
}

/**
 * The first half of {@link writeFileAtomic}: the content in a temp file beside `path`,
 * with its final mode and fsync'd, ready to be renamed into place. For writes that must
 * land together (a key and its certificate), whose renames a journal then covers.
 */
export async function writeTempFile(
  path: string,
  data: string | Uint8Array,
  options: Omit<AtomicWriteOptions, "exclusive">,
): Promise<string> {
  const temp = tempPathFor(path);
  const fd = openSync(temp, "wx", options.mode);
  try {
    try {
      // The mode given to open() is reduced by the umask; make the final mode exact.
      if ((options.mode & ~currentUmask()) !== options.mode) fchmodSync(fd, options.mode);
      if (options.owner) fchownSync(fd, options.owner.uid, options.owner.gid);
      writeFileSync(fd, data);
      await fsyncOnPool(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
  return temp;
}

/** Link `temp` to `path` unless `path` exists ({@link FileExistsError}); `temp` stays. */
export function linkExclusive(temp: string, path: string): void {
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new FileExistsError(path);
    throw error;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (renamed, or never made).
  }
}

/** fsync a directory so that the renames and links made in it survive a power loss. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Create a directory (and its parents) when missing, with exactly `mode` despite the umask.
 * An existing directory is left as its owner set it.
 */
export async function ensureDirectory(dir: string, mode: number): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode });
  if (created !== undefined) await chmod(dir, mode);
}
