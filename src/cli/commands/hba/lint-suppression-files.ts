import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { readFile } from "node:fs/promises";

import { ExitCode, PgwardenError, usageError } from "../../../core/errors.js";
import type { Finding } from "../../../core/finding.js";
import { PUBLIC_FILE_MODE, writeFileAtomic } from "../../../core/fs/atomic-write.js";
import { baselineDocument, parseBaseline } from "../../../hba/lint/baseline.js";
import { IGNORE_MARKER } from "../../../hba/lint/inline-ignore.js";
import type { BaselineEntry } from "../../../hba/lint/suppress.js";
import type { HbaSource } from "./source.js";

/* The files hba lint reads and writes to accept findings: pgwarden:ignore comments and baselines. */

/**
 * The lines of the files whose # pgwarden:ignore comments count: the pg_hba.conf files read
 * (includes too) or the inventory, never a rendered file's name (nothing on disk is that file).
 * A file without the marker is not split into lines.
 */
export function inlineReader(
  source: HbaSource,
  file: string | undefined,
): (name: string) => readonly string[] | undefined {
  const readable = new Set<string>(
    source.inventory
      ? [source.inventory.file]
      : file !== undefined
        ? source.file.rules.map((rule) => rule.source.file)
        : [],
  );
  const cache = new Map<string, readonly string[] | undefined>();
  return (name) => {
    if (!readable.has(name)) return undefined;
    if (!cache.has(name)) {
      let lines: string[] | undefined;
      try {
        if (holdsMarker(name)) lines = readFileSync(name, "utf8").split(/\r?\n/);
      } catch {
        // Read a moment ago; gone now: no comments to honour.
      }
      cache.set(name, lines);
    }
    return cache.get(name);
  };
}

const SCAN_CHUNK_BYTES = 1024 * 1024;

/** Does the file hold the pgwarden:ignore marker? Read a chunk at a time: a file of millions of lines never becomes one string for this. */
export function holdsMarker(file: string): boolean {
  const marker = Buffer.from(IGNORE_MARKER);
  const buffer = Buffer.alloc(SCAN_CHUNK_BYTES + marker.length);
  const fd = openSync(file, "r");
  try {
    let carried = 0;
    for (;;) {
      const read = readSync(fd, buffer, carried, SCAN_CHUNK_BYTES, null);
      if (read === 0) return false;
      const filled = carried + read;
      if (buffer.subarray(0, filled).includes(marker)) return true;
      // Keep the tail, in case the marker straddles two chunks.
      carried = Math.min(marker.length - 1, filled);
      buffer.copy(buffer, 0, filled - carried, filled);
    }
  } finally {
    closeSync(fd);
  }
}

export async function readBaseline(file: string): Promise<BaselineEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new PgwardenError(
        "lint-baseline-missing",
        `--baseline ${file} does not exist: write it with --write-baseline ${file}`,
        ExitCode.notFound,
      );
    throw usageError("lint-baseline-unreadable", `--baseline ${file} cannot be read: ${(error as Error).message}`);
  }
  return parseBaseline(text, file);
}

/** Writes a baseline atomically; a file there that is not a pgwarden baseline is left alone (exit 2). */
export async function writeBaseline(file: string, findings: readonly Finding[]): Promise<void> {
  if (existsSync(file)) {
    let ours = false;
    try {
      ours = (JSON.parse(readFileSync(file, "utf8")) as { pgwardenBaseline?: unknown }).pgwardenBaseline !== undefined;
    } catch {
      ours = false;
    }
    if (!ours)
      throw usageError(
        "lint-baseline-exists",
        `--write-baseline ${file}: a file that is not a pgwarden baseline is there; move it away or choose another path`,
      );
  }
  try {
    await writeFileAtomic(file, `${JSON.stringify(baselineDocument(findings), null, 2)}\n`, { mode: PUBLIC_FILE_MODE });
  } catch (error) {
    throw usageError(
      "lint-baseline-unwritable",
      `--write-baseline ${file} cannot be written: ${(error as Error).message}`,
    );
  }
}
