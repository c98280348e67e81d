import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, open, readdir, rename, unlink } from "node:fs/promises";
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

const TEMP_FILE_PATTERN = /^\..+\.([0-9]+)\.[0-9a-f]+\.tmp$/;

function processAlive(pid: number): boolean {
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

/**
 * Write a file so that readers (and a `kill -9` at any moment) only ever see the old
 * content or the whole new content: temp file in the same directory, created with its
 * final mode, fsync, then rename (or link, for `exclusive`, which cannot overwrite).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", options.mode);
  try {
    try {
      // The mode given to open() is reduced by the umask; make the final mode exact.
      if ((options.mode & ~currentUmask()) !== options.mode) await handle.chmod(options.mode);
      if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.exclusive) {
      try {
        await link(temp, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new FileExistsError(path);
        throw error;
      }
      await unlink(temp);
    } else {
      await rename(temp, path);
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
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
