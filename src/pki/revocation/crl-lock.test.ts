import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { withLock } from "./crl-lock.js";

async function inTemp(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "crl-lock-"));
  try {
    await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

test("lock: a lock left by a dead process (or holding no pid) is taken over; the lock holds our pid while held and is gone after", async () => {
  await inTemp(async (dir) => {
    const path = join(dir, "ca.lock");
    for (const stale of [`${deadPid()}\n`, "garbage"]) {
      await writeFile(path, stale);
      const held = await withLock(path, { what: "test", waitMs: 2_000 }, () => readFile(path, "utf8"));
      assert.equal(held, `${process.pid}\n`);
      assert.deepEqual(await readdir(dir), [], "no lock, temp or moved-aside file is left");
    }
  });
});

test("lock: a live owner is waited for, and after the wait runs out the error names its pid and the file (exit 7)", async () => {
  await inTemp(async (dir) => {
    const path = join(dir, "ca.lock");
    const owner = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      await writeFile(path, `${owner.pid}\n`);
      await assert.rejects(
        withLock(path, { what: "the CRL of issuer ca", waitMs: 200 }, () => Promise.resolve(undefined)),
        (error: Error & { exitCode?: number }) =>
          error.exitCode === 7 && error.message.includes(`process ${owner.pid}`) && error.message.includes(path),
      );
      assert.equal(await readFile(path, "utf8"), `${owner.pid}\n`, "a live owner's lock is left alone");
    } finally {
      owner.kill("SIGKILL");
    }
    await new Promise((resolve) => owner.once("exit", resolve));
    assert.equal(await withLock(path, { what: "test", waitMs: 2_000 }, () => Promise.resolve("taken")), "taken");
  });
});

test("lock: holders never overlap, within a process as between processes", async () => {
  await inTemp(async (dir) => {
    const path = join(dir, "ca.lock");
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withLock(path, { what: "test" }, async () => {
          most = Math.max(most, ++inside);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inside--;
        }),
      ),
    );
    assert.equal(most, 1);
  });
});
