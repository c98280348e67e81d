import { linkSync, renameSync, rmdirSync, unlinkSync } from "node:fs";
import { readdir, readFile, unlink } from "node:fs/promises";
import { join, relative } from "node:path";

import { pkiError } from "../../core/errors.js";
import {
  ensureDirectory,
  FileExistsError,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  processAlive,
  removeStaleTempFiles,
  syncDirectory,
  writeFileAtomic,
} from "../../core/fs/atomic-write.js";
import { decodeCertificates } from "../encoding/pem.js";
import type { PkiLayout } from "../pki-layout.js";
import { addRecords, type CertificateRecord, newRecordFileName } from "../records/certificate-records.js";
import { keyIdOf, rotatedDir } from "./rotated-cas.js";

/*
 * The journal of `ca rotate`. Replacing a CA's key and its certificate (and an intermediate's anchor
 * twin) takes several renames, which no file system makes atomic together, so the swap runs under a
 * journal (`db/rotation.json`) that lists every file:
 *   1. the new key (0600), anchor twin and certificate are written whole to `ca/rotating/<pid>.*`;
 *   2. the journal is created exclusively: the commit point, and the lock one rotation holds;
 *   3. the old files are linked into `ca/rotated/`, then the new ones renamed over them, the
 *      certificate last (its key id says whether the swap is done);
 *   4. the new root's record is written (a record file the journal named), the journal removed.
 * Killed before 2, the staged files are removed by the next command: the old CA stands. Killed
 * after, the next command that loads the CA finishes the swap ({@link finishRotation}); every
 * step checks what is on disk first, so repeating it is safe.
 */

export const JOURNAL_VERSION = 2;

/** One file a rotation replaces: paths relative to the PKI root. */
export interface RotatedFile {
  /** Where the CA's file is in use (`ca/ca.key`, `ca/client-ca.anchor.crt`, ...). */
  readonly live: string;
  /** The new file, written whole before the commit point. */
  readonly staged: string;
  /** Where the old file is kept (`ca/rotated/...`). */
  readonly keep: string;
  /** Absent before the rotation (an intermediate made before anchor twins): nothing to keep. */
  readonly optional?: boolean;
}

/** One rotation in flight: what it replaces, with what, and where the old files are kept. */
export interface RotationJournal {
  readonly version: typeof JOURNAL_VERSION;
  readonly pid: number;
  readonly issuerName: string;
  readonly oldKeyId: string;
  readonly newKeyId: string;
  /** The live certificate (relative path), whose key id says whether the swap happened; renamed last. */
  readonly cert: string;
  /** Every file replaced, the certificate last. */
  readonly files: readonly RotatedFile[];
  readonly recordFile: string;
  readonly record: CertificateRecord;
}

/** The version-1 journal (`ca rotate` of the root, before intermediates rotated): key and certificate. */
interface JournalV1 {
  readonly version: 1;
  readonly pid: number;
  readonly issuerName: string;
  readonly oldKeyId: string;
  readonly newKeyId: string;
  readonly live: { readonly key: string; readonly cert: string };
  readonly staged: { readonly key: string; readonly cert: string };
  readonly keep: { readonly key: string; readonly cert: string };
  readonly recordFile: string;
  readonly record: CertificateRecord;
}

function upgradeJournal(old: JournalV1): RotationJournal {
  const { live, staged, keep, ...rest } = old;
  return {
    ...rest,
    version: JOURNAL_VERSION,
    cert: live.cert,
    files: (["key", "cert"] as const).map((part) => ({ live: live[part], staged: staged[part], keep: keep[part] })),
  };
}

export function journalPath(layout: PkiLayout): string {
  return join(layout.dbDir, "rotation.json");
}

export function stagingDir(layout: PkiLayout): string {
  return join(layout.caDir, "rotating");
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

export async function keyIdOfFile(path: string): Promise<string | undefined> {
  try {
    const [der] = decodeCertificates(await readFile(path, "utf8"), path, "pki") as [Buffer];
    return keyIdOf(der);
  } catch {
    return undefined;
  }
}

/** Step 3 and 4 of a journal; each part checks the disk first, so a second run is harmless. */
export async function applyRotation(layout: PkiLayout, journal: RotationJournal): Promise<void> {
  const at = (path: string) => join(layout.root, path);
  const liveKeyId = await keyIdOfFile(at(journal.cert));
  if (liveKeyId !== journal.oldKeyId && liveKeyId !== journal.newKeyId) {
    // Another CA took the place meanwhile (restored by hand?): this rotation no longer applies.
    await discardStaged(layout, journal);
    throw pkiError(
      "rotation-stale",
      `${at(journal.cert)} is neither the CA this rotation replaced nor its successor: the rotation was abandoned, nothing was changed; check ca/ and run ca rotate again`,
    );
  }
  if (liveKeyId === journal.oldKeyId) {
    await ensureDirectory(rotatedDir(layout), PRIVATE_DIR_MODE);
    for (const file of journal.files) {
      try {
        linkSync(at(file.live), at(file.keep));
      } catch (error) {
        // Linked by an earlier run (EEXIST); an optional file that never was (ENOENT).
        if (errno(error) !== "EEXIST" && !(file.optional === true && errno(error) === "ENOENT")) throw error;
      }
    }
    await syncDirectory(rotatedDir(layout));
  }
  for (const file of journal.files) {
    try {
      renameSync(at(file.staged), at(file.live));
    } catch (error) {
      if (errno(error) !== "ENOENT") throw error;
    }
  }
  await syncDirectory(layout.caDir);
  try {
    await addRecords(layout, [journal.record], new Date(journal.record.issuedAt), journal.recordFile);
  } catch (error) {
    if (!(error instanceof FileExistsError) && errno(error) !== "EEXIST") throw error;
  }
  await unlink(journalPath(layout)).catch(() => undefined);
  await syncDirectory(layout.dbDir);
  try {
    rmdirSync(stagingDir(layout));
  } catch {
    // Another rotation's staged files, or already gone.
  }
}

export async function discardStaged(layout: PkiLayout, journal: RotationJournal): Promise<void> {
  for (const file of journal.files) await unlink(join(layout.root, file.staged)).catch(() => undefined);
  await unlink(journalPath(layout)).catch(() => undefined);
}

async function readJournal(layout: PkiLayout): Promise<RotationJournal | undefined> {
  let text: string;
  try {
    text = await readFile(journalPath(layout), "utf8");
  } catch (error) {
    if (errno(error) === "ENOENT") return undefined;
    throw error;
  }
  try {
    const journal = JSON.parse(text) as RotationJournal | JournalV1;
    if (journal.version === 1) return upgradeJournal(journal);
    if (journal.version !== JOURNAL_VERSION || !Array.isArray(journal.files)) throw new Error("unknown version");
    return journal;
  } catch {
    throw pkiError(
      "bad-rotation-journal",
      `${journalPath(layout)} is not a rotation journal pgwarden can read: compare ca/ with ca/rotating/ and ca/rotated/, put the pair you want in ca/, then remove it`,
    );
  }
}

/** How long a command waits for another process's rotation to finish before going on without it. */
const ROTATION_WAIT_MS = 10_000;
const ROTATION_POLL_MS = 20;

/**
 * Finishes a rotation a killed process left (the new CA takes its place, the old one is kept
 * in `ca/rotated/`), and removes files a rotation staged before it was killed short of its
 * commit point. While a live process is rotating, waits for it (up to ten seconds).
 */
export async function finishRotation(layout: PkiLayout): Promise<void> {
  let journal = await readJournal(layout);
  // Another process is swapping files (milliseconds): wait for it, so the pair read next is one CA's, not half of each.
  for (
    let waited = 0;
    journal && journal.pid !== process.pid && processAlive(journal.pid);
    waited += ROTATION_POLL_MS
  ) {
    if (waited >= ROTATION_WAIT_MS) return;
    await new Promise((resolve) => setTimeout(resolve, ROTATION_POLL_MS));
    journal = await readJournal(layout);
  }
  if (journal) {
    await applyRotation(layout, journal);
    return;
  }
  let names: string[];
  try {
    await removeStaleTempFiles(stagingDir(layout));
    names = await readdir(stagingDir(layout));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^([0-9]+)\./.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid))
      await unlink(join(stagingDir(layout), name)).catch(() => undefined);
  }
}

/** One new file of a rotation: where it goes, its content and mode, and where the file it replaces is kept. */
export interface NewCaFile {
  /** Absolute path of the live file. */
  readonly live: string;
  /** Absolute path the old file is kept at (in `ca/rotated/`). */
  readonly keep: string;
  readonly data: string;
  readonly mode: number;
  /** Staged file name suffix (`key`, `crt`, `anchor.crt`). */
  readonly suffix: string;
  /** The old file may be absent. */
  readonly optional?: boolean;
}

/** What {@link commitRotation} swaps: the CA by name and key ids, its new files (the certificate last), its record. */
export interface RotationPlan {
  readonly issuerName: string;
  readonly oldKeyId: string;
  readonly newKeyId: string;
  /** Absolute path of the live certificate; must be the last of `files`. */
  readonly cert: string;
  readonly files: readonly NewCaFile[];
  readonly record: CertificateRecord;
  readonly now: Date;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never written, or already gone.
  }
}

/**
 * Steps 1 to 4: stages the new files (keys 0600 from birth), creates the journal exclusively (exit 7 when another
 * rotation holds it), checks the live certificate is still the old one, and swaps. Killed at any instant, the old CA
 * or the new one stands whole.
 */
export async function commitRotation(layout: PkiLayout, plan: RotationPlan): Promise<void> {
  const rel = (path: string) => relative(layout.root, path);
  await ensureDirectory(stagingDir(layout), PRIVATE_DIR_MODE);
  const staged: string[] = [];
  const files: RotatedFile[] = [];
  try {
    for (const file of plan.files) {
      const path = join(stagingDir(layout), `${process.pid}.${file.suffix}`);
      staged.push(path);
      await writeFileAtomic(path, file.data, { mode: file.mode });
      files.push({
        live: rel(file.live),
        staged: rel(path),
        keep: rel(file.keep),
        ...(file.optional === true ? { optional: true } : {}),
      });
    }
  } catch (error) {
    staged.forEach(unlinkQuietly);
    throw error;
  }
  const journal: RotationJournal = {
    version: JOURNAL_VERSION,
    pid: process.pid,
    issuerName: plan.issuerName,
    oldKeyId: plan.oldKeyId,
    newKeyId: plan.newKeyId,
    cert: rel(plan.cert),
    files,
    recordFile: newRecordFileName(plan.now),
    record: plan.record,
  };
  await ensureDirectory(layout.dbDir, PRIVATE_DIR_MODE);
  try {
    await writeFileAtomic(journalPath(layout), JSON.stringify(journal), { mode: PRIVATE_FILE_MODE, exclusive: true });
  } catch (error) {
    staged.forEach(unlinkQuietly);
    if (error instanceof FileExistsError)
      throw pkiError(
        "rotation-running",
        `another ca rotate is running in ${layout.root} (${journalPath(layout)}): wait for it, then check ca show`,
      );
    throw error;
  }
  await syncDirectory(layout.dbDir);
  if ((await keyIdOfFile(plan.cert)) !== plan.oldKeyId) {
    await discardStaged(layout, journal);
    throw pkiError(
      "rotation-stale",
      `${plan.cert} changed while the new CA was being made (another ca rotate?): nothing was changed; run ca rotate again`,
    );
  }
  await applyRotation(layout, journal);
}
