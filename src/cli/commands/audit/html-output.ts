import { lstatSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { notFoundError, usageError } from "../../../core/errors.js";
import { PRIVATE_FILE_MODE, writeFileAtomic } from "../../../core/fs/atomic-write.js";

/** How much of an existing file is read to recognise an earlier report. */
const SNIFF_BYTES = 4096;

/**
 * Checks, before the audit connects anywhere, that `--html FILE` can be written: its directory
 * exists (exit 4), it is not a directory (exit 2), not a symbolic link, which would send the report
 * elsewhere (exit 2), and not a file pgwarden did not write (an earlier report is replaced; anything
 * else is kept, exit 2).
 */
export function checkHtmlPath(path: string): void {
  const dir = dirname(resolve(path));
  let dirIsDirectory = false;
  try {
    dirIsDirectory = statSync(dir).isDirectory();
  } catch {
    throw notFoundError("html-dir-missing", `--html ${path}: directory ${dir} does not exist; create it first`);
  }
  if (!dirIsDirectory) throw usageError("html-dir-not-directory", `--html ${path}: ${dir} is not a directory`);
  let stats;
  try {
    stats = lstatSync(path);
  } catch {
    return;
  }
  if (stats.isSymbolicLink())
    throw usageError(
      "html-symlink",
      `--html ${path} is a symbolic link (to ${readlinkSync(path)}): give the path of the report file itself`,
    );
  if (stats.isDirectory()) throw usageError("html-is-directory", `--html ${path} is a directory: give a file name`);
  if (!stats.isFile() || !isEarlierReport(path))
    throw usageError(
      "html-exists",
      `--html ${path}: a file that is not a pgwarden report is there; move it away or choose another path`,
    );
}

function isEarlierReport(path: string): boolean {
  try {
    const head = readFileSync(path).subarray(0, SNIFF_BYTES).toString("utf8").toLowerCase();
    return head.includes('<meta name="generator" content="pgwarden audit">');
  } catch {
    return false;
  }
}

/** Writes the page atomically (whole or not at all), 0600: it maps the weaknesses of the fleet; a failure is one line, exit 2, the old file kept. */
export async function writeHtmlReport(path: string, html: string): Promise<void> {
  try {
    await writeFileAtomic(path, html, { mode: PRIVATE_FILE_MODE });
  } catch (error) {
    throw usageError("html-unwritable", `--html ${path} cannot be written: ${(error as Error).message}`);
  }
}
