import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { access, chown, mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { pgwarden, snapshot, tempDir } from "./support/cli.js";

// sandbox down --purge deletes only what sandbox up made; sandbox up never moves in among someone's files.

const sandboxDir = (label: string) => join(tmpdir(), `pgwarden-purge-test-${label}-${randomBytes(4).toString("hex")}`);
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

let work: { dir: string; cleanup: () => Promise<void> };
let pki: string;
const made: string[] = [];

before(async () => {
  work = await tempDir("pgwarden-purge-");
  pki = join(work.dir, "pki");
});

after(async () => {
  for (const dir of made) {
    await pgwarden(["sandbox", "down", "--dir", dir]);
    await rm(dir, { recursive: true, force: true });
  }
  await work?.cleanup();
});

test("sandbox down --purge deletes what sandbox up made and keeps a file of the user's there, naming it", async () => {
  const dir = sandboxDir("notes");
  made.push(dir);
  const up = await pgwarden(["sandbox", "up", "--pki", pki, "--dir", dir]);
  assert.equal(up.code, 0, up.stderr);
  await writeFile(join(dir, "notes.txt"), "mine\n");

  const down = await pgwarden(["sandbox", "down", "--dir", dir, "--purge"]);
  assert.equal(down.code, 0, down.stderr);
  assert.equal(await readFile(join(dir, "notes.txt"), "utf8"), "mine\n");
  assert.deepEqual(await readdir(dir), ["notes.txt"], "data, socket, postgres.log and sandbox.json deleted");
  assert.match(down.stderr, /warning: deleted what sandbox up made in .*; left what it did not make: notes\.txt/);

  // With nothing of the user's left, the directory goes too.
  await rm(join(dir, "notes.txt"));
  assert.equal((await pgwarden(["sandbox", "up", "--pki", pki, "--dir", dir])).code, 0);
  const purged = await pgwarden(["sandbox", "down", "--dir", dir, "--purge"]);
  assert.equal(purged.code, 0, purged.stderr);
  assert.equal(await exists(dir), false);
});

test("sandbox down --purge never follows a socket link into another server's socket directory", async () => {
  const dir = sandboxDir("socketlink");
  const other = sandboxDir("othersockets");
  made.push(dir, other);
  assert.equal((await pgwarden(["sandbox", "up", "--pki", pki, "--dir", dir])).code, 0);
  assert.equal((await pgwarden(["sandbox", "down", "--dir", dir])).code, 0);
  await mkdir(other);
  await writeFile(join(other, ".s.PGSQL.5432"), "");
  await writeFile(join(other, ".s.PGSQL.5432.lock"), "production\n");
  await rm(join(dir, "socket"), { recursive: true, force: true });
  await symlink(other, join(dir, "socket"));
  const purged = await pgwarden(["sandbox", "down", "--dir", dir, "--purge"]);
  assert.equal(purged.code, 0, purged.stderr);
  assert.deepEqual(
    (await readdir(other)).sort(),
    [".s.PGSQL.5432", ".s.PGSQL.5432.lock"],
    "the other server's socket files are untouched",
  );
  assert.deepEqual(await readdir(dir), ["socket"], "the link itself is left, named as not pgwarden's");
});

test("sandbox up refuses a directory that holds other files and no sandbox: exit 2, nothing written, no CA made", async () => {
  const dir = sandboxDir("foreign");
  made.push(dir);
  await mkdir(dir);
  await writeFile(join(dir, "notes.txt"), "mine\n");
  const freshPki = join(work.dir, "pki-never");
  const before = await snapshot(dir);
  const result = await pgwarden(["sandbox", "up", "--pki", freshPki, "--dir", dir]);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.match(
    result.stderr,
    /is not empty and holds no pgwarden sandbox \(no sandbox\.json\): give sandbox up a new or empty --dir/,
  );
  assert.deepEqual(await snapshot(dir), before);
  assert.equal(await exists(freshPki), false, "no CA made");
});

test("a hand-written sandbox.json gets nothing stopped or deleted by down --purge, neither in its directory nor in the one it names", async () => {
  const dir = sandboxDir("forged");
  const elsewhere = sandboxDir("elsewhere");
  made.push(dir, elsewhere);
  await mkdir(join(dir, "data"), { recursive: true });
  await mkdir(join(dir, "socket"));
  await mkdir(elsewhere);
  await writeFile(join(dir, "notes.txt"), "mine\n");
  await writeFile(join(dir, "data", "thesis.tex"), "years of work\n");
  await writeFile(join(dir, "postgres.log"), "my own log\n");
  await writeFile(join(elsewhere, "keep.txt"), "keep\n");
  for (const [where, named] of [
    [dir, dir],
    [dir, elsewhere],
  ] as const) {
    const state = {
      version: 1,
      dir: named,
      pgdata: join(dir, "data"),
      socketDir: join(dir, "socket"),
      logFile: join(dir, "postgres.log"),
      port: 5,
      binDir: "/usr/bin",
      osUser: "postgres",
      superuser: "postgres",
      pki,
      createdAt: new Date().toISOString(),
    };
    await writeFile(join(where, "sandbox.json"), JSON.stringify(state));
    const before = await snapshot(dir);
    const beforeElsewhere = await snapshot(elsewhere);
    const result = await pgwarden(["sandbox", "down", "--dir", dir, "--purge"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr.trim(),
      /^pgwarden: error: .*sandbox\.json does not describe a sandbox pgwarden made in .*: nothing was stopped or deleted$/,
    );
    assert.deepEqual(await snapshot(dir), before, `state naming ${named}`);
    assert.deepEqual(await snapshot(elsewhere), beforeElsewhere, `state naming ${named}`);
  }
});

test("sandbox down acts on no sandbox.json another user wrote (the server's account could name any program as binDir): nothing stopped or deleted", async () => {
  const dir = sandboxDir("rewritten");
  made.push(dir);
  await mkdir(join(dir, "data"), { recursive: true });
  const state = {
    version: 1,
    dir,
    pgdata: join(dir, "data"),
    socketDir: join(dir, "socket"),
    logFile: join(dir, "postgres.log"),
    port: 5,
    binDir: join(dir, "evil-bin"),
    osUser: "postgres",
    superuser: "postgres",
    pki,
    createdAt: new Date().toISOString(),
  };
  const file = join(dir, "sandbox.json");
  await writeFile(file, JSON.stringify(state));
  await chown(file, 65534, 65534);
  const before = await snapshot(dir);
  const result = await pgwarden(["sandbox", "down", "--dir", dir, "--purge"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr.trim(),
    /^pgwarden: error: .*sandbox\.json belongs to uid 65534, not to this user: pgwarden will not run the programs it names; nothing was stopped or deleted$/,
  );
  assert.deepEqual(await snapshot(dir), before);
});
