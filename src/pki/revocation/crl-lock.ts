import { randomBytes } from "node:crypto";
import { readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { pkiError } from "../../core/errors.js";
import {
  ensureDirectory,
  FileExistsError,
  linkExclusive,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  processAlive,
  writeTempFile,
} from "../../core/fs/atomic-write.js";

/*
 * An exclusive lock file holding its owner's pid. It is made whole in a temp file and linked
 * into place (link fails when the lock exists), so nobody ever reads a half-written lock. A lock
 * whose pid is dead was left by a killed process: it is moved aside (rename, which only one
 * taker wins), checked again, and dropped; had a live owner taken it meanwhile, it is put back.
 */

/** How long {@link withLock} waits for a live owner before giving up. */
export const LOCK_WAIT_MS = 60_000;
const POLL_MIN_MS = 5;
const POLL_MAX_MS = 40;

export interface LockOptions {
  /** What is locked, for the message when waiting times out ("the CRL of issuer ca"). */
  readonly what: string;
  /** Default {@link LOCK_WAIT_MS}. */
  readonly waitMs?: number;
}

/** The pid a lock file holds, or undefined when it is gone; NaN when it holds no pid. */
async function lockOwner(path: string): Promise<number | undefined> {
  try {
    const text = await readFile(path, "utf8");
    return /^[0-9]+\n?$/.test(text) ? Number(text.trim()) : Number.NaN;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function isStale(owner: number): boolean {
  return Number.isNaN(owner) || (owner !== process.pid && !processAlive(owner));
}

/** Moves a stale lock aside and drops it; puts it back if its owner turns out to be alive (a lock taken meanwhile). */
async function takeOverStale(path: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const owner = await lockOwner(aside);
  if (owner !== undefined && !isStale(owner)) {
    try {
      linkExclusive(aside, path);
    } catch (error) {
      if (!(error instanceof FileExistsError)) throw error;
    }
  }
  await unlink(aside).catch(() => undefined);
}

async function acquire(path: string, options: LockOptions): Promise<void> {
  const temp = await writeTempFile(path, `${process.pid}\n`, { mode: PRIVATE_FILE_MODE });
  const deadline = Date.now() + (options.waitMs ?? LOCK_WAIT_MS);
  try {
    for (;;) {
      try {
        linkExclusive(temp, path);
        return;
      } catch (error) {
        if (!(error instanceof FileExistsError)) throw error;
      }
      const owner = await lockOwner(path);
      if (owner === undefined) continue;
      if (isStale(owner)) {
        await takeOverStale(path);
        continue;
      }
      if (Date.now() > deadline)
        throw pkiError(
          "locked",
          `${options.what} is locked by pgwarden process ${owner} (${path}): wait for it to finish; if no such process runs, remove ${path}`,
        );
      await sleep(POLL_MIN_MS + Math.random() * (POLL_MAX_MS - POLL_MIN_MS));
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function release(path: string): Promise<void> {
  // Only our own lock: one taken over after we were presumed dead belongs to its new owner.
  if ((await lockOwner(path)) === process.pid) await unlink(path).catch(() => undefined);
}

/** Runs `work` holding the lock file `path` (made in its directory, 0700, when missing). */
export async function withLock<T>(path: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  await ensureDirectory(dirname(path), PRIVATE_DIR_MODE);
  await acquire(path, options);
  try {
    return await work();
  } finally {
    await release(path);
  }
}
