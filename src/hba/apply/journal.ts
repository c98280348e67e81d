import { createHash } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { lstat, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

import { PRIVATE_FILE_MODE, processAlive, tempPathFor, writeFileAtomic } from "../../core/fs/atomic-write.js";

/**
 * What an `hba apply` that was killed (kill -9) leaves for the next one: which file it
 * replaced, where the old one is kept, and the digest of the candidate it had not yet
 * confirmed. Written before the candidate replaces the file, removed when the apply ends.
 */
export interface ApplyJournal {
  readonly pid: number;
  readonly hbaFile: string;
  readonly backup: string;
  /** MD5 of the old file (the backup), so a damaged backup is never put back. */
  readonly oldDigest: string;
  /** MD5 of the candidate: only a file still equal to it is taken back. */
  readonly candidateDigest: string;
}

export const md5Hex = (data: string | Buffer) => createHash("md5").update(data).digest("hex");

/** `<dir of hba_file>/.pgwarden-hba-apply.json`. */
export const journalPath = (hbaFile: string) => join(dirname(hbaFile), ".pgwarden-hba-apply.json");

export async function writeJournal(journal: ApplyJournal): Promise<void> {
  await writeFileAtomic(journalPath(journal.hbaFile), `${JSON.stringify(journal)}\n`, { mode: PRIVATE_FILE_MODE });
}

export async function removeJournal(hbaFile: string): Promise<void> {
  await rm(journalPath(hbaFile), { force: true });
}

/**
 * What recovering a killed apply did: nothing (no journal), dropped a stale journal, put the old
 * file back, or left alone a journal another user wrote or another apply, still running, holds.
 */
export type Recovery =
  | { readonly kind: "none" }
  | { readonly kind: "stale" }
  | { readonly kind: "restored"; readonly backup: string }
  | { readonly kind: "untrusted"; readonly journal: string }
  | { readonly kind: "busy"; readonly pid: number };

/** A backup `hba apply` makes of `hbaFile`: beside it, named after it (backupPath), a plain file rather than a link elsewhere. */
function isOwnBackup(hbaFile: string, backup: unknown): backup is string {
  if (
    typeof backup !== "string" ||
    dirname(backup) !== dirname(hbaFile) ||
    !/^\.[0-9TZ-]+\.bak$/.test(backup.slice(hbaFile.length))
  )
    return false;
  if (!backup.startsWith(`${hbaFile}.`)) return false;
  try {
    return lstatSync(backup).isFile();
  } catch {
    return false;
  }
}

/**
 * Finishes what a killed apply of `hbaFile` left: when its process is gone and the file on
 * disk is still its unconfirmed candidate, the backup goes back in place (atomically, with
 * the file's owner and mode). A journal whose apply still runs is left alone.
 */
export async function recoverKilledApply(
  hbaFile: string,
  fileOptions: { mode: number; owner?: { uid: number; gid: number } },
): Promise<Recovery> {
  const where = journalPath(hbaFile);
  const info = await lstat(where).catch(() => undefined);
  if (info === undefined) return { kind: "none" };
  // Only a journal pgwarden (this user) wrote is trusted: the server's account owns the data
  // directory and could otherwise plant one that copies a file only root may read into pg_hba.conf.
  if (!info.isFile() || (typeof process.getuid === "function" && info.uid !== process.getuid()))
    return { kind: "untrusted", journal: where };
  const text = await readFile(where, "utf8").catch(() => undefined);
  if (text === undefined) return { kind: "none" };
  let journal: ApplyJournal | undefined;
  try {
    journal = JSON.parse(text) as ApplyJournal;
  } catch {
    journal = undefined;
  }
  if (
    journal !== undefined &&
    typeof journal.pid === "number" &&
    journal.pid !== process.pid &&
    processAlive(journal.pid)
  )
    return { kind: "busy", pid: journal.pid };
  if (journal === undefined || journal.hbaFile !== hbaFile) {
    await removeJournal(hbaFile);
    return { kind: "stale" };
  }
  const current = await readFile(hbaFile).catch(() => undefined);
  const backup = isOwnBackup(hbaFile, journal.backup)
    ? await readFile(journal.backup).catch(() => undefined)
    : undefined;
  if (
    current !== undefined &&
    md5Hex(current) === journal.candidateDigest &&
    backup !== undefined &&
    md5Hex(backup) === journal.oldDigest
  ) {
    await writeFileAtomic(hbaFile, backup, fileOptions);
    await removeJournal(hbaFile);
    return { kind: "restored", backup: journal.backup };
  }
  await removeJournal(hbaFile);
  return { kind: "stale" };
}

/**
 * Puts `old` back at `hbaFile` synchronously (a signal handler cannot wait): a temporary file
 * beside it with the same mode and owner, renamed over it; then the journal goes.
 */
export function restoreSync(
  hbaFile: string,
  old: string,
  fileOptions: { mode: number; owner?: { uid: number; gid: number } },
): void {
  const temporary = tempPathFor(hbaFile);
  const fd = openSync(temporary, "w", fileOptions.mode);
  try {
    writeFileSync(fd, old);
    fchmodSync(fd, fileOptions.mode);
    if (fileOptions.owner) fchownSync(fd, fileOptions.owner.uid, fileOptions.owner.gid);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, hbaFile);
  try {
    unlinkSync(journalPath(hbaFile));
  } catch {
    // Already gone.
  }
}
