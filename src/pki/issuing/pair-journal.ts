import { randomBytes, X509Certificate } from "node:crypto";
import { linkSync, renameSync, statSync, unlinkSync } from "node:fs";
import { readdir, readFile, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";

import { pkiError } from "../../core/errors.js";
import {
  ensureDirectory,
  FileExistsError,
  PRIVATE_DIR_MODE,
  processAlive,
  PUBLIC_FILE_MODE,
  removeStaleTempFiles,
  syncDirectory,
  writeFileAtomic,
} from "../../core/fs/atomic-write.js";
import { mapBounded } from "../../core/fs/bounded.js";
import type { PkiLayout } from "../pki-layout.js";
import {
  addRecords,
  type CertificateRecord,
  newRecordFileName,
  rewriteRecords,
} from "../records/certificate-records.js";

/*
 * A key and its certificate replace an old pair in two renames, which no file system makes
 * atomic together: killed between them, the key is new and the certificate old. So pairs are
 * written under a journal:
 *   1. each key and certificate goes to a temp file beside its target, fsync'd;
 *   2. a journal naming every temp, its target and the records is written: the commit point;
 *   3. the records are written to a record file the journal named, then the temps are renamed
 *      into place (linked, without --force, so nothing is overwritten); the records of pairs
 *      that did not land (another writer's file at their name) are taken out again;
 *   4. the journal is removed (the directories are fsync'd once per command).
 * Killed before 2, only temp files exist, which the next command removes: the old pairs stand.
 * Killed after, the next command finishes what the journal names ({@link recoverInterruptedWrites}):
 * the new pairs stand, with exactly their records. Each step is safe to repeat, so two commands
 * recovering at once, or one killed while recovering, end the same way.
 * One journal covers a chunk of a batch, so it costs one small file per 32 pairs; a directory
 * per pair, swapped by one rename, would change the `<group>/<cn>.{key,crt}` layout that Pigsty
 * and PostgreSQL settings point at.
 */

/** One file to move into place. Paths are relative to the PKI root, so a moved PKI directory still recovers. */
export interface Move {
  readonly temp: string;
  readonly target: string;
}

/**
 * One leaf's files, staged: its key when made here (moved first), its certificate, the chain file
 * beside it when an intermediate signed it (leaf then intermediate, moved last), and its record.
 * Three files under one journal: a kill leaves all of them old or all new once recovered.
 */
export interface StagedPair {
  readonly key?: Move;
  readonly cert: Move;
  /** `<cn>.fullchain.crt` (for an intermediate's certificate: its anchor twin), absent when the root signed. */
  readonly chain?: Move;
  /**
   * A chain file the new pair does not have (a root-signed leaf replacing one an intermediate signed),
   * removed once the pair is in place so that no chain file names an old leaf. Relative to the PKI root.
   */
  readonly staleChain?: string;
  readonly record: CertificateRecord;
}

interface Journal {
  readonly version: 1;
  /** Forced writes rename over the old pair; the others link, and never replace a file. */
  readonly replace: boolean;
  /** The record file (in `db/certs/`) this write adds. */
  readonly recordFile: string;
  readonly pairs: readonly StagedPair[];
}

/** `<pid>.<random>.json`: the pid tells a journal of a live writer from a killed one's. */
const JOURNAL_NAME = /^([0-9]+)\.[0-9a-f]+\.json$/;

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (errno(error) !== "ENOENT") throw error;
  }
}

/** Links a temp to its target; already linked (the same file) counts as done, another file there as {@link FileExistsError}. */
function linkMove(root: string, move: Move): void {
  const temp = join(root, move.temp);
  const target = join(root, move.target);
  try {
    linkSync(temp, target);
  } catch (error) {
    // No temp: an earlier run linked it and removed the temp, or gave up on this pair.
    if (errno(error) === "ENOENT") return;
    if (errno(error) === "EEXIST" && !sameFile(temp, target)) throw new FileExistsError(target);
    if (errno(error) !== "EEXIST") throw error;
  }
}

/**
 * Moves one staged pair into place, key first, then its chain file. Without `replace`, a file already
 * at the key's or certificate's target (another writer's) wins: this pair's own key is taken back and
 * {@link FileExistsError} thrown. The temps go only once both files are in place, so a repeat after a
 * kill knows where it stands.
 */
export function landPair(root: string, pair: StagedPair, replace: boolean): void {
  const renameIfStaged = (move: Move) => {
    try {
      renameSync(join(root, move.temp), join(root, move.target));
    } catch (error) {
      if (errno(error) !== "ENOENT") throw error;
    }
  };
  const settleChain = () => {
    // pgwarden's own derived file, never another writer's: replaced, and only once the pair is in place.
    if (pair.chain) renameIfStaged(pair.chain);
    if (pair.staleChain !== undefined) unlinkIfPresent(join(root, pair.staleChain));
  };
  const moves = pair.key ? [pair.key, pair.cert] : [pair.cert];
  if (replace) {
    moves.forEach(renameIfStaged);
    settleChain();
    return;
  }
  const linked: Move[] = [];
  try {
    for (const move of moves) {
      linkMove(root, move);
      linked.push(move);
    }
  } catch (error) {
    for (const move of linked)
      if (sameFile(join(root, move.temp), join(root, move.target))) unlinkIfPresent(join(root, move.target));
    for (const move of [...moves, ...(pair.chain ? [pair.chain] : [])]) unlinkIfPresent(join(root, move.temp));
    throw error;
  }
  settleChain();
  for (const move of moves) unlinkIfPresent(join(root, move.temp));
}

/** fsync the directories the pairs and their records were moved into, so the renames survive a power loss. */
export async function syncPairDirectories(layout: PkiLayout, pairs: readonly { readonly cert: Move }[]): Promise<void> {
  const dirs = new Set([...pairs.map((pair) => dirname(join(layout.root, pair.cert.target))), layout.recordsDir]);
  await Promise.all([...dirs].map(syncDirectory));
}

/** Makes the journal's record file hold exactly the records of the pairs that landed (none: no file). */
async function settleRecords(layout: PkiLayout, journal: Journal, landed: readonly CertificateRecord[]): Promise<void> {
  await ensureDirectory(layout.recordsDir, PRIVATE_DIR_MODE);
  await rewriteRecords({ path: join(layout.recordsDir, journal.recordFile) }, landed);
}

/**
 * Moves staged pairs into place under a journal (steps 2 to 4 above). Returns, per pair,
 * undefined when it landed or the error that kept it out (another file at its name).
 */
export async function commitPairs(
  layout: PkiLayout,
  pairs: readonly StagedPair[],
  options: { replace: boolean; now: Date },
): Promise<(FileExistsError | undefined)[]> {
  await ensureDirectory(layout.dbDir, PRIVATE_DIR_MODE);
  await ensureDirectory(layout.journalDir, PRIVATE_DIR_MODE);
  const journal: Journal = { version: 1, replace: options.replace, recordFile: newRecordFileName(options.now), pairs };
  const journalPath = join(layout.journalDir, `${process.pid}.${randomBytes(6).toString("hex")}.json`);
  await writeFileAtomic(journalPath, JSON.stringify(journal), { mode: PUBLIC_FILE_MODE, exclusive: true });
  // Records before files, so that whatever a kill leaves in place is already recorded.
  await addRecords(
    layout,
    pairs.map((pair) => pair.record),
    options.now,
    journal.recordFile,
  );
  const outcomes = pairs.map((pair) => {
    try {
      landPair(layout.root, pair, options.replace);
      return undefined;
    } catch (error) {
      if (error instanceof FileExistsError) return error;
      throw error;
    }
  });
  if (outcomes.some((outcome) => outcome !== undefined)) {
    await settleRecords(
      layout,
      journal,
      pairs.filter((_, index) => outcomes[index] === undefined).map((pair) => pair.record),
    );
  }
  // The directories are fsync'd once per command, by the caller (issueBatch, issueCertificate, signCsr): a kill
  // loses nothing the page cache holds, and on a power loss ext4's ordered metadata journal does not
  // let this unlink reach the disk before the renames made before it.
  await unlink(journalPath);
  return outcomes;
}

/** Whether the certificate at the pair's target is the one the journal staged (its record's fingerprint). */
async function certificateLanded(root: string, pair: StagedPair): Promise<boolean> {
  try {
    return (
      new X509Certificate(await readFile(join(root, pair.cert.target))).fingerprint256 === pair.record.fingerprintSha256
    );
  } catch {
    return false;
  }
}

async function recoverJournal(layout: PkiLayout, path: string): Promise<boolean> {
  let journal: Journal;
  try {
    journal = JSON.parse(await readFile(path, "utf8")) as Journal;
  } catch (error) {
    // Finished by another command in the meantime.
    if (errno(error) === "ENOENT") return false;
    if (error instanceof SyntaxError)
      throw pkiError(
        "bad-journal",
        `${path} is not a pgwarden journal (journals are written whole): move it out of ${layout.journalDir}`,
      );
    throw error;
  }
  for (const pair of journal.pairs) {
    try {
      landPair(layout.root, pair, journal.replace);
    } catch (error) {
      if (!(error instanceof FileExistsError)) throw error;
    }
  }
  const landed = await mapBounded(journal.pairs, (pair) => certificateLanded(layout.root, pair));
  await settleRecords(
    layout,
    journal,
    journal.pairs.filter((_, index) => landed[index]).map((pair) => pair.record),
  );
  await syncPairDirectories(layout, journal.pairs);
  await unlink(path).catch((error: unknown) => {
    if (errno(error) !== "ENOENT") throw error;
  });
  return true;
}

export interface RecoveryReport {
  /** Journals of killed writers that were finished. */
  readonly finished: number;
  /** Temp files of killed writers that were removed. */
  readonly tempFilesRemoved: number;
}

/**
 * What a command runs before it reads or writes pairs: finishes the journals of writers that
 * were killed, then removes the temp files killed writers left anywhere in the PKI directory
 * (in that order, since a journal's temps are what it finishes with).
 */
export async function recoverInterruptedWrites(layout: PkiLayout): Promise<RecoveryReport> {
  const names = await readdir(layout.journalDir).catch((error: unknown) => {
    if (errno(error) === "ENOENT") return [] as string[];
    throw error;
  });
  let finished = 0;
  for (const name of names) {
    const pid = Number(JOURNAL_NAME.exec(name)?.[1] ?? Number.NaN);
    if (Number.isNaN(pid) || pid === process.pid || processAlive(pid)) continue;
    if (await recoverJournal(layout, join(layout.journalDir, name))) finished++;
  }
  const groups = (await readdir(layout.root, { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(layout.root, entry.name));
  const removed = await mapBounded([...groups, layout.recordsDir, layout.journalDir], removeStaleTempFiles, 8);
  return { finished, tempFilesRemoved: removed.reduce((sum, count) => sum + count, 0) };
}
