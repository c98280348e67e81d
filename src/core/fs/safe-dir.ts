import { lstatSync, readdirSync, readlinkSync, realpathSync, type Stats, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

import { pkiError, usageError } from "../errors.js";

/*
 * Checks on directories pgwarden is told to use, synchronous so that they run while argv is
 * parsed or a command's context is made: before anything is read, connected or written.
 */

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    // A parent of `path` is a file: `path` cannot be a directory.
    if (code === "ENOTDIR") return { isDirectory: () => false } as Stats;
    throw error;
  }
}

/**
 * A flag's value that must name a directory (`--out`, `--root`, `--dir`, `--pki`...): fine when
 * it does not exist yet (the command creates it or says it is missing), a usage error (exit 2)
 * when it, or a directory above it, is a file.
 */
export function requireDirectoryPath(path: string, flag: string): void {
  const info = statOrUndefined(path);
  if (info && !info.isDirectory()) {
    throw usageError(
      "not-a-directory",
      `${flag} ${path} is not a directory (it, or a directory above it, is a file): give a directory`,
    );
  }
}

const WORLD_WRITABLE = 0o002;

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

function refuseWorldWritable(path: string, info: Stats): void {
  if ((info.mode & WORLD_WRITABLE) !== 0) {
    throw pkiError(
      "pki-world-writable",
      `${path} is writable by every user (mode ${modeText(info.mode)}), so anyone could swap the CA or a key: run chmod o-w ${path} and check what is in it`,
    );
  }
}

/** True when `path` is `root` or lies under it. */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Directories under the PKI root that must be directories when they exist (the rest are groups of issued leaves). */
const STRUCTURE = ["ca", "crl", "db"] as const;

/**
 * Where a PKI directory stands, refusing one pgwarden must not use:
 * - `--pki` naming a file (or under one) is a usage error (exit 2);
 * - the root, or a directory in it, writable by every user is a PKI failure (exit 7);
 * - a directory in it that is a symbolic link to a place outside the PKI is a PKI failure
 *   (exit 7): keys issued into it would land where the PKI's permissions do not protect them;
 * - `ca`, `crl` or `db` that is not a directory is a damaged PKI (exit 7).
 * Returns "missing" when the root does not exist, "present" otherwise.
 */
export function checkPkiDirectory(root: string, flag = "--pki"): "missing" | "present" {
  const info = statOrUndefined(root);
  if (!info) return "missing";
  if (!info.isDirectory()) {
    throw usageError(
      "pki-not-a-directory",
      `${flag} ${root} is not a directory (it, or a directory above it, is a file): give the PKI directory`,
    );
  }
  refuseWorldWritable(root, info);
  const realRoot = realpathSync(root);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isSymbolicLink()) {
      const target = statOrUndefined(path);
      if (!target?.isDirectory()) continue;
      const real = realpathSync(path);
      if (!isInside(realRoot, real)) {
        throw pkiError(
          "pki-symlink-escape",
          `${path} is a symbolic link to ${resolve(dirname(path), readlinkSync(path))}, outside the PKI ${root}: ` +
            "keys written through it would leave the PKI; " +
            `replace the link with a real directory (rm ${path} && mkdir -m 700 ${path}), then move in only the files of ${real} that belong to the PKI`,
        );
      }
      refuseWorldWritable(path, target);
    } else if (entry.isDirectory()) {
      refuseWorldWritable(path, lstatSync(path));
    } else if ((STRUCTURE as readonly string[]).includes(entry.name)) {
      throw pkiError(
        "pki-damaged",
        `${path} is not a directory, so the PKI ${root} is damaged: move ${path} away and restore ${entry.name}/ from a backup`,
      );
    }
  }
  const records = join(root, "db", "certs");
  const recordsInfo = statOrUndefined(records);
  if (recordsInfo?.isDirectory()) refuseWorldWritable(records, recordsInfo);
  return "present";
}

// The checks below read a directory that may not exist yet and run once a command has its inputs
// (quickstart), not while argv is parsed: they may wait on the file system.

/** Group or world write permission. */
const WRITABLE_BY_OTHERS = 0o022;

/** Which flag named the directory, for the messages; the error codes' prefix; why another's directory is a danger. */
export interface DirUse {
  readonly flag: string;
  readonly code: string;
  readonly why: string;
}

const QUICKSTART_DIR: DirUse = { flag: "--dir", code: "quickstart", why: "pgwarden would use what it holds" };

/**
 * What quickstart takes from an existing `--dir` (the CA, an inventory whose rules it installs,
 * the sandbox's state) must be this user's alone: a directory or file another account owns or
 * may write could plant access rules that quickstart then installs (a `trust` line).
 */
export async function assertOwnedByUs(path: string, what: string, use: DirUse = QUICKSTART_DIR): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info || typeof process.getuid !== "function") return;
  const uid = process.getuid();
  if (info.uid !== uid) {
    throw pkiError(
      `${use.code}-foreign`,
      `${what} ${path} belongs to another user (uid ${info.uid}): ${use.why}; give a ${use.flag} of your own`,
    );
  }
  if ((info.mode & WRITABLE_BY_OTHERS) !== 0) {
    const mode = modeText(info.mode);
    throw pkiError(
      `${use.code}-writable`,
      `${what} ${path} may be written by other users (mode ${mode}): run chmod go-w ${path}, check what is in it, or give another ${use.flag}`,
    );
  }
}

const STICKY = 0o1000;

/**
 * A directory above `--dir` that another user may rename entries in (writable by others without
 * the sticky bit, or owned by another user than this one and root) lets them swap `--dir` for a
 * directory of their own between runs.
 */
export async function assertAncestorsSafe(from: string, use: DirUse = QUICKSTART_DIR): Promise<void> {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  for (let current = from; ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info && uid !== undefined) {
      const open = (info.mode & WRITABLE_BY_OTHERS) !== 0 && (info.mode & STICKY) === 0;
      if (open || (info.uid !== uid && info.uid !== 0)) {
        const mode = modeText(info.mode);
        throw pkiError(
          `${use.code}-ancestor`,
          `${current}, above ${use.flag}, can be changed by other users (mode ${mode}, owner uid ${info.uid}): ` +
            `they could swap ${use.flag} for a directory of theirs; give a ${use.flag} under a directory only you (or root) can write`,
        );
      }
    }
    if (dirname(current) === current) return;
  }
}
