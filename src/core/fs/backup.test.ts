import assert from "node:assert/strict";
import { chmod, lstat, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { writeKeepingBackup } from "./backup.js";

const NOW = new Date("2026-12-01T12:00:00.000Z");

async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-backup-"));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

test("a replaced key's backup is private even when the key it replaces was left readable", () =>
  inTempDir(async (dir) => {
    const key = join(dir, "server.key");
    await writeFile(key, "old key");
    await chmod(key, 0o644);
    const result = await writeKeepingBackup(key, "new key", { mode: 0o600 }, NOW);
    assert.equal(result.action, "replace");
    assert.equal(result.backup, `${key}.2026-12-01T12-00-00-000Z.bak`);
    assert.equal(await readFile(result.backup, "utf8"), "old key");
    assert.equal(await modeOf(result.backup), 0o600);
    assert.equal(await modeOf(key), 0o600);
    assert.equal(await readFile(key, "utf8"), "new key");
  }));

test("a private file replaced by a public one keeps a private backup", () =>
  inTempDir(async (dir) => {
    const file = join(dir, "root.crt");
    await writeFile(file, "old");
    await chmod(file, 0o600);
    const result = await writeKeepingBackup(file, "new", { mode: 0o644 }, NOW);
    assert.equal(await modeOf(result.backup as string), 0o600);
    assert.equal(
      await modeOf(file),
      0o644,
      "the new file has its own mode; only the backup keeps the old one's privacy",
    );
  }));

test("identical content is left alone, with no backup", () =>
  inTempDir(async (dir) => {
    const file = join(dir, "pgwarden.conf");
    await writeFile(file, "ssl = on\n");
    assert.deepEqual(await writeKeepingBackup(file, "ssl = on\n", { mode: 0o600 }, NOW), {
      path: file,
      action: "unchanged",
    });
    assert.deepEqual(await readdir(dir), ["pgwarden.conf"]);
  }));

test("a symbolic link is backed up as the link itself: its target is never read or copied, and stays as it was", () =>
  inTempDir(async (dir) => {
    const target = join(dir, "secret");
    await writeFile(target, "someone else's secret");
    const key = join(dir, "server.key");
    await symlink(target, key);
    const result = await writeKeepingBackup(key, "new key", { mode: 0o600 }, NOW);
    assert.equal(result.action, "replace");
    const backup = result.backup as string;
    assert.ok((await lstat(backup)).isSymbolicLink());
    assert.equal(await readlink(backup), target);
    assert.ok(!(await lstat(key)).isSymbolicLink());
    assert.equal(await readFile(key, "utf8"), "new key");
    assert.equal(await readFile(target, "utf8"), "someone else's secret");
  }));
