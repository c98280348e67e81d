import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { PgwardenError } from "../errors.js";
import { checkPkiDirectory, requireDirectoryPath } from "./safe-dir.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-safe-dir-"));
});
after(() => rm(dir, { recursive: true, force: true }));

const failsWith = (exitCode: number, message: RegExp) => (error: unknown) =>
  error instanceof PgwardenError && error.exitCode === exitCode && message.test(error.message);

/** A fresh PKI-shaped directory (mode 0700) with ca/ and server/. */
async function freshPki(name: string): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, "ca"), { recursive: true, mode: 0o700 });
  await mkdir(join(root, "server"), { mode: 0o755 });
  await chmod(root, 0o700);
  return root;
}

test("a directory flag naming a file, or a path under a file, is a usage error; a missing path or a directory is fine", async () => {
  const file = join(dir, "a-file");
  await writeFile(file, "x");
  assert.throws(
    () => requireDirectoryPath(file, "--out"),
    failsWith(2, /^--out .*a-file is not a directory .*give a directory$/),
  );
  assert.throws(
    () => requireDirectoryPath(join(file, "below"), "--root"),
    failsWith(2, /^--root .*a-file\/below is not a directory/),
  );
  assert.doesNotThrow(() => requireDirectoryPath(join(dir, "not-yet"), "--out"));
  assert.doesNotThrow(() => requireDirectoryPath(dir, "--out"));
});

test("a PKI that does not exist is missing; one that is a file is a usage error", async () => {
  assert.equal(checkPkiDirectory(join(dir, "no-pki")), "missing");
  const file = join(dir, "pki-file");
  await writeFile(file, "x");
  assert.throws(() => checkPkiDirectory(file), failsWith(2, /^--pki .*pki-file is not a directory/));
  assert.equal(checkPkiDirectory(await freshPki("fine")), "present");
});

test("a world-writable PKI root or group directory is refused (exit 7) with the chmod that fixes it", async () => {
  const root = await freshPki("open-root");
  await chmod(root, 0o777);
  assert.throws(
    () => checkPkiDirectory(root),
    failsWith(7, new RegExp(`^${root} is writable by every user \\(mode 0777\\).*run chmod o-w ${root} `)),
  );
  const group = await freshPki("open-group");
  await chmod(join(group, "server"), 0o1777);
  assert.throws(
    () => checkPkiDirectory(group),
    failsWith(7, /server is writable by every user \(mode 1777\).*chmod o-w .*server/),
  );
  const records = await freshPki("open-records");
  await mkdir(join(records, "db", "certs"), { recursive: true });
  await chmod(join(records, "db", "certs"), 0o757);
  assert.throws(() => checkPkiDirectory(records), failsWith(7, /db\/certs is writable by every user/));
});

test("a group directory that is a symbolic link out of the PKI is refused (exit 7); a link inside the PKI is fine", async () => {
  const outside = join(dir, "elsewhere");
  await mkdir(outside, { mode: 0o755 });
  const root = await freshPki("escape");
  await symlink(outside, join(root, "client"));
  const advice =
    /client is a symbolic link to .*elsewhere, outside the PKI.*\(rm \S*client && mkdir -m 700 \S*client\), then move in only the files/;
  assert.throws(() => checkPkiDirectory(root), failsWith(7, advice));
  const inside = await freshPki("inside");
  await symlink("server", join(inside, "servers"));
  assert.equal(checkPkiDirectory(inside), "present");
  // A link to a file, or a dangling one, is no directory keys could be written into.
  await writeFile(join(dir, "some-file"), "x");
  await symlink(join(dir, "some-file"), join(inside, "linked-file"));
  await symlink(join(dir, "gone"), join(inside, "dangling"));
  assert.equal(checkPkiDirectory(inside), "present");
});

test("the PKI root itself may be a symbolic link (its contents are judged against where it leads)", async () => {
  const real = await freshPki("real-pki");
  const link = join(dir, "pki-link");
  await symlink(real, link);
  await symlink(join(real, "server"), join(real, "absolute-inside"));
  assert.equal(checkPkiDirectory(link), "present");
});

test("ca, crl or db that is not a directory is a damaged PKI (exit 7)", async () => {
  const root = await freshPki("damaged");
  await writeFile(join(root, "db"), "x");
  assert.throws(() => checkPkiDirectory(root), failsWith(7, /db is not a directory, so the PKI .* is damaged/));
});
