import { lchown, lstat, readFile, readlink, stat, symlink } from "node:fs/promises";

import { type AtomicWriteOptions, writeFileAtomic } from "./atomic-write.js";

/** `<path>.<UTC timestamp>.bak`: sorts by time, never collides with PostgreSQL's own names. */
export function backupPath(path: string, now: Date): string {
  return `${path}.${now.toISOString().replace(/[:.]/g, "-")}.bak`;
}

export interface BackedUpWrite {
  readonly path: string;
  readonly action: "create" | "replace" | "unchanged";
  /** Where the previous content was kept. */
  readonly backup?: string;
}

/**
 * Writes a file atomically, first copying a different file already there to a backup
 * (with its owner, and no more readable than either version, so a backed-up key stays private). An identical file
 * is left untouched unless `rewriteSame` (to give it the right mode and owner). A symbolic link
 * is backed up as a link (its target is never read), owned by `backupOwner` when given.
 */
export async function writeKeepingBackup(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions & { rewriteSame?: boolean; backupOwner?: { readonly uid: number; readonly gid: number } },
  now: Date,
): Promise<BackedUpWrite> {
  const link = await lstat(path).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    // A link is kept as a link: copying its target could put a file only root may read where the link's owner reads it.
    const backup = backupPath(path, now);
    await symlink(await readlink(path), backup);
    const owner = options.backupOwner ?? { uid: link.uid, gid: link.gid };
    await lchown(backup, owner.uid, owner.gid);
    await writeFileAtomic(path, data, options);
    return { path, action: "replace", backup };
  }
  const old = await readFile(path).catch(() => undefined);
  const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
  if (old?.equals(bytes)) {
    if (!options.rewriteSame) return { path, action: "unchanged" };
    // Same content, wrong mode or owner: rewritten in place of itself, so no backup.
    await writeFileAtomic(path, bytes, options);
    return { path, action: "replace" };
  }
  let backup: string | undefined;
  if (old !== undefined) {
    backup = backupPath(path, now);
    const info = await stat(path);
    // Born with the old file's owner, and readable by no one the old file or the new one keeps out:
    // a key's backup is as private as the key, even when the key it replaces had been left open.
    const owner = options.backupOwner ?? { uid: info.uid, gid: info.gid };
    await writeFileAtomic(backup, old, { mode: info.mode & options.mode & 0o777, owner, exclusive: true });
  }
  await writeFileAtomic(path, bytes, options);
  return { path, action: old === undefined ? "create" : "replace", backup };
}
