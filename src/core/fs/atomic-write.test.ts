import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";

import { FileExistsError, isTempFileName, removeStaleTempFiles, tempPathFor, writeFileAtomic } from "./atomic-write.js";

// The exact-mode test needs a umask that would cut 0666 down (each test file runs in its own process).
process.umask(0o022);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-atomic-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

test("a new file has its content and exactly its mode, whatever the umask takes away", async () => {
  await writeFileAtomic(join(dir, "key"), "secret\n", { mode: 0o600 });
  await writeFileAtomic(join(dir, "shared"), Buffer.from([1, 2, 3]), { mode: 0o666 });
  assert.equal(await readFile(join(dir, "key"), "utf8"), "secret\n");
  assert.deepEqual([...(await readFile(join(dir, "shared")))], [1, 2, 3]);
  assert.equal(await modeOf(join(dir, "key")), 0o600);
  assert.equal(await modeOf(join(dir, "shared")), 0o666, "the umask (022) would have cut 0666 down");
  assert.deepEqual((await readdir(dir)).sort(), ["key", "shared"], "no temp file is left");
});

test("a replaced file takes the new content and mode; an exclusive write never replaces", async () => {
  const path = join(dir, "server.crt");
  await writeFileAtomic(path, "old", { mode: 0o644 });
  await writeFileAtomic(path, "new", { mode: 0o600 });
  assert.equal(await readFile(path, "utf8"), "new");
  assert.equal(await modeOf(path), 0o600);
  await assert.rejects(
    writeFileAtomic(path, "other", { mode: 0o600, exclusive: true }),
    (error: unknown) => error instanceof FileExistsError && error.path === path,
  );
  assert.equal(await readFile(path, "utf8"), "new");
  assert.deepEqual(await readdir(dir), ["server.crt"], "the refused write left no temp file");
});

test("of many exclusive writers racing for one name, exactly one wins and no temp file stays", async () => {
  const path = join(dir, "dbuser_dba.key");
  const outcomes = await Promise.allSettled(
    Array.from({ length: 24 }, (_, index) =>
      writeFileAtomic(path, `writer ${index}`, { mode: 0o600, exclusive: true }),
    ),
  );
  const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
  assert.equal(won.length, 1);
  assert.ok(outcomes.every((outcome) => outcome.status === "fulfilled" || outcome.reason instanceof FileExistsError));
  assert.match(await readFile(path, "utf8"), /^writer [0-9]+$/);
  assert.deepEqual(await readdir(dir), ["dbuser_dba.key"]);
});

test("hundreds of concurrent writes in one directory each land whole under their own name", async () => {
  const names = Array.from({ length: 400 }, (_, index) => `user_${index}.crt`);
  await Promise.all(
    names.map((name) => writeFileAtomic(join(dir, name), `${name}\n`.repeat(50), { mode: 0o644, exclusive: true })),
  );
  assert.deepEqual((await readdir(dir)).sort(), [...names].sort());
  for (const name of names.slice(0, 20)) assert.equal(await readFile(join(dir, name), "utf8"), `${name}\n`.repeat(50));
});

test("a write into a missing directory fails and leaves nothing", async () => {
  await assert.rejects(writeFileAtomic(join(dir, "absent", "file"), "x", { mode: 0o600 }), { code: "ENOENT" });
  assert.deepEqual(await readdir(dir), []);
});

test("temp files of writers that died are removed; a live writer's and other files stay", async () => {
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const deadPid = Number(dead.stdout);
  assert.ok(deadPid > 0);
  // Named as writeFileAtomic names its temp files, for a dead writer, a live one and this process.
  const [stale, live, own] = [deadPid, process.ppid, process.pid].map((pid) =>
    basename(tempPathFor(join(dir, "ca.key"), pid)),
  ) as [string, string, string];
  for (const name of [stale, live, own, "ca.key", ".hidden"]) await writeFile(join(dir, name), "x");
  assert.ok([stale, live, own].every(isTempFileName));
  assert.equal(await removeStaleTempFiles(dir), 1);
  assert.deepEqual((await readdir(dir)).sort(), [live, own, ".hidden", "ca.key"].sort());
});
