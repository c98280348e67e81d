import { linkSync, renameSync, rmdirSync } from "node:fs";
import { readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";

import { pkiError } from "../../core/errors.js";
import {
  ensureDirectory,
  FileExistsError,
  PRIVATE_DIR_MODE,
  processAlive,
  removeStaleTempFiles,
  syncDirectory,
} from "../../core/fs/atomic-write.js";
import { decodeCertificates } from "../encoding/pem.js";
import type { PkiLayout } from "../pki-layout.js";
import { addRecords, type CertificateRecord } from "../records/certificate-records.js";
import { keyIdOf, rotatedDir } from "./rotated-cas.js";

/*
 * The journal of `ca rotate`. Replacing a CA's key and its certificate takes two renames, which
 * no file system makes atomic together, so the swap runs under a journal (`db/rotation.json`):
 *   1. the new key (0600) and certificate are written whole to `ca/rotating/<pid>.{key,crt}`;
 *   2. the journal is created exclusively: the commit point, and the lock one rotation holds;
 *   3. the old files are linked into `ca/rotated/`, then the new ones renamed over them;
 *   4. the new root's record is written (a record file the journal named), the journal removed.
 * Killed before 2, the staged files are removed by the next command: the old CA stands. Killed
 * after, the next command that loads the CA finishes the swap ({@link finishRotation}); every
 * step checks what is on disk first, so repeating it is safe.
 */

export const JOURNAL_VERSION = 1;

/** One rotation in flight: what it replaces, with what, and where the old files are kept. */
export interface RotationJournal {
  readonly version: typeof JOURNAL_VERSION;
  readonly pid: number;
  readonly issuerName: string;
  readonly oldKeyId: string;
  readonly newKeyId: string;
  /** Paths relative to the PKI root. */
  readonly live: { readonly key: string; readonly cert: string };
  readonly staged: { readonly key: string; readonly cert: string };
  readonly keep: { readonly key: string; readonly cert: string };
  readonly recordFile: string;
  readonly record: CertificateRecord;
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
  const liveKeyId = await keyIdOfFile(at(journal.live.cert));
  if (liveKeyId !== journal.oldKeyId && liveKeyId !== journal.newKeyId) {
    // Another CA took the place meanwhile (restored by hand?): this rotation no longer applies.
    await discardStaged(layout, journal);
    throw pkiError(
      "rotation-stale",
      `${at(journal.live.cert)} is neither the CA this rotation replaced nor its successor: the rotation was abandoned, nothing was changed; check ca/ and run ca rotate again`,
    );
  }
  if (liveKeyId === journal.oldKeyId) {
    await ensureDirectory(rotatedDir(layout), PRIVATE_DIR_MODE);
    for (const part of ["key", "cert"] as const) {
      try {
        linkSync(at(journal.live[part]), at(journal.keep[part]));
      } catch (error) {
        if (errno(error) !== "EEXIST") throw error;
      }
    }
    await syncDirectory(rotatedDir(layout));
  }
  for (const part of ["key", "cert"] as const) {
    try {
      renameSync(at(journal.staged[part]), at(journal.live[part]));
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
  for (const part of ["key", "cert"] as const)
    await unlink(join(layout.root, journal.staged[part])).catch(() => undefined);
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
    const journal = JSON.parse(text) as RotationJournal;
    if (journal.version !== JOURNAL_VERSION) throw new Error("unknown version");
    return journal;
  } catch {
    throw pkiError(
      "bad-rotation-journal",
      `${journalPath(layout)} is not a rotation journal pgwarden can read: compare ca/ with ca/rotating/ and ca/rotated/, put the pair you want in ca/, then remove it`,
    );
  }
}

/**
 * Finishes a rotation a killed process left (the new CA takes its place, the old one is kept
 * in `ca/rotated/`), and removes files a rotation staged before it was killed short of its
 * commit point. Returns quietly while a live process is rotating.
 */
export async function finishRotation(layout: PkiLayout): Promise<void> {
  const journal = await readJournal(layout);
  if (journal) {
    if (journal.pid !== process.pid && processAlive(journal.pid)) return;
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
