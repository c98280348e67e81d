/*
 * `cert export` writes root.crt (whom verify-full trusts) and the client key: into a directory
 * other users may write, or under one they may change, any local user could swap root.crt for
 * their own CA. Such a target is refused (exit 7, one line, nothing written), wherever a link
 * (~/.postgresql) leads; a directory of ours under the sticky /tmp is fine. A client key owned
 * by another user is refused as one others can read is.
 */
import assert from "node:assert/strict";
import { chmod, chown, lchown, mkdir, readdir, stat, symlink } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { type CliResult, pgwarden, snapshot, tempDir } from "./support/cli.js";

const ROLE = "app";

function refusedOneLine(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 7, result.stderr);
  assert.match(result.stderr, pattern);
  assert.equal(result.stderr.trim().split("\n").length, 1, `one line: ${result.stderr}`);
}

describe("cert export refuses a bundle directory other users may change", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  const exportTo = (out: string) => pgwarden(["--pki", pki, "cert", "export", "--cn", ROLE, "--out", out]);

  before(async () => {
    ({ dir, cleanup } = await tempDir("pgwarden-export-safety-"));
    pki = join(dir, "pki");
    for (const args of [
      ["ca", "init"],
      ["cert", "issue", "--profile", "client", "--cn", ROLE],
    ]) {
      const result = await pgwarden(["--pki", pki, ...args]);
      assert.equal(result.code, 0, result.stderr);
    }
  });
  after(() => cleanup());

  test("--out DIR of mode 0777 is refused (exit 7, names the mode and chmod go-w), nothing written into it", async () => {
    const open = join(dir, "open");
    await mkdir(open);
    await chmod(open, 0o777);
    refusedOneLine(
      await exportTo(open),
      /^pgwarden: error: the bundle directory \S+open may be written by other users \(mode 0777\): run chmod go-w .*--out/,
    );
    assert.deepEqual(await readdir(open), []);
  });

  test("--out under a directory of mode 0777 without the sticky bit is refused (exit 7), nothing made", async () => {
    const parent = join(dir, "shared");
    await mkdir(parent);
    await chmod(parent, 0o777);
    const target = join(parent, "mine");
    await mkdir(target, { mode: 0o700 });
    const before = await snapshot(parent);
    refusedOneLine(
      await exportTo(join(target, "bundle")),
      /shared, above --out, can be changed by other users \(mode 0777, owner uid \d+\)/,
    );
    assert.deepEqual(await snapshot(parent), before);
  });

  test("a symbolic link on the way to --out must stay put: one in a directory others may change, or owned by another user, is refused (7); one to nothing is exit 2; ours in a safe place is followed", async () => {
    const mine = join(dir, "links-target");
    await mkdir(mine, { mode: 0o700 });
    const open = join(dir, "links-open");
    await mkdir(open);
    await chmod(open, 0o777);
    await symlink(mine, join(open, "l"));
    refusedOneLine(await exportTo(join(open, "l")), /links-open, above --out, can be changed by other users/);
    const sticky = join(dir, "links-sticky");
    await mkdir(sticky);
    await chmod(sticky, 0o1777);
    const theirs = join(sticky, "theirs");
    await symlink(mine, theirs);
    await lchown(theirs, 65534, 65534);
    refusedOneLine(
      await exportTo(theirs),
      /theirs \(on the way to --out\) is a symbolic link owned by uid 65534: they could point it elsewhere/,
    );
    assert.deepEqual(await readdir(mine), [], "nothing written where the links lead");
    await symlink(join(dir, "nowhere"), join(dir, "links-dangling"));
    const dangling = await exportTo(join(dir, "links-dangling"));
    assert.equal(dangling.code, 2, dangling.stderr);
    assert.match(
      dangling.stderr,
      /^pgwarden: error: \S+links-dangling \(on the way to --out\) is a symbolic link to \S+nowhere, which does not exist/,
    );
    await symlink(mine, join(dir, "links-ours"));
    const followed = await exportTo(join(dir, "links-ours"));
    assert.equal(followed.code, 0, followed.stderr);
    assert.ok((await readdir(mine)).includes("root.crt"));
  });

  test("--out DIR owned by another user is refused (exit 7)", async () => {
    const foreign = join(dir, "foreign");
    await mkdir(foreign, { mode: 0o755 });
    await chown(foreign, 65534, 65534);
    refusedOneLine(await exportTo(foreign), /foreign belongs to another user \(uid 65534\)/);
    assert.deepEqual(await readdir(foreign), []);
  });

  test("--install follows ~/.postgresql to a world-writable directory: refused (exit 7), naming both, nothing written", async () => {
    const home = join(dir, "home");
    await mkdir(home, { mode: 0o700 });
    const drop = join(dir, "drop");
    await mkdir(drop);
    await chmod(drop, 0o777);
    await symlink(drop, join(home, ".postgresql"));
    const refused = await pgwarden(["--pki", pki, "cert", "export", "--cn", ROLE, "--install"], {
      env: { HOME: home },
    });
    refusedOneLine(
      refused,
      /the bundle directory \S+\.postgresql leads to \S+drop may be written by other users \(mode 0777\)/,
    );
    assert.deepEqual(await readdir(drop), []);
  });

  test("a directory of ours (0700, and 0755) under the sticky /tmp is fine: the bundle is written", async () => {
    const info = await stat("/tmp");
    assert.ok((info.mode & 0o1002) === 0o1002, "/tmp is sticky and world-writable, as the case needs");
    for (const mode of [0o700, 0o755]) {
      const own = join(dir, `own-${mode.toString(8)}`);
      await mkdir(own, { mode });
      const result = await exportTo(own);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual((await readdir(own)).sort(), ["postgresql.crt", "postgresql.key", "root.crt"]);
    }
  });

  test("a client key owned by another user is refused (exit 7, names the owner), nothing written", async () => {
    const key = join(pki, "client", `${ROLE}.key`);
    const fresh = join(dir, "never-made");
    await chown(key, 65534, 65534);
    try {
      refusedOneLine(
        await exportTo(fresh),
        /^pgwarden: error: refusing to export \S+app\.key: it belongs to another user \(uid 65534\).*chown/,
      );
      assert.equal(
        await stat(fresh).then(
          () => true,
          () => false,
        ),
        false,
        "no out dir made",
      );
    } finally {
      await chown(key, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
    }
  });
});

describe("the CA key, read through the same key-file check", () => {
  test("a CA key owned by another user is refused (exit 7, names the owner) unless --insecure, which warns and issues", async () => {
    const { dir, cleanup } = await tempDir("pgwarden-ca-owner-");
    try {
      const pki = join(dir, "pki");
      assert.equal((await pgwarden(["--pki", pki, "ca", "init"])).code, 0);
      const caKey = join(pki, "ca", "ca.key");
      await chown(caKey, 65534, 65534);
      const issue = (extra: string[]) =>
        pgwarden(["--pki", pki, "cert", "issue", "--profile", "client", "--cn", ROLE, ...extra]);
      const before = await snapshot(pki);
      refusedOneLine(
        await issue([]),
        /CA key \S+ca\.key: it belongs to another user \(uid 65534\), who can read it and replace it: run chown .*--insecure/,
      );
      assert.deepEqual(await snapshot(pki), before);
      const insecure = await issue(["--insecure"]);
      assert.equal(insecure.code, 0, insecure.stderr);
      assert.match(insecure.stderr, /belongs to another user \(uid 65534\).*used anyway because of --insecure/);
    } finally {
      await cleanup();
    }
  });
});
