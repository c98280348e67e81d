import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { PASSPHRASE_ENV, readPassphrase } from "./passphrase.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pgwarden-passphrase-"));
});
after(() => rm(dir, { recursive: true, force: true }));

async function fileWith(name: string, bytes: Buffer | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes, { mode: 0o600 });
  return path;
}

const notUtf8 = (error: unknown) =>
  error instanceof PgwardenError &&
  error.exitCode === 2 &&
  error.code === "passphrase-not-utf8" &&
  /not valid UTF-8/.test(error.message);

test("the first line of the file, without its line break (LF or CRLF), is the passphrase", async () => {
  assert.equal(await readPassphrase(await fileWith("lf", "the right one\nsecond line\n"), {}), "the right one");
  assert.equal(await readPassphrase(await fileWith("crlf", "windows\r\n"), {}), "windows");
  assert.equal(await readPassphrase(await fileWith("no-newline", "bare"), {}), "bare");
  assert.equal(await readPassphrase(await fileWith("cr-only", "cr\r"), {}), "cr\r", "a CR without LF stays, as before");
  assert.equal(await readPassphrase(await fileWith("utf8", "pässwörd 日本\n"), {}), "pässwörd 日本");
});

test("a passphrase file that is not UTF-8 is refused (exit 2), so \\xfe\\xff and \\xff\\xfe cannot stand for the same passphrase", async () => {
  await assert.rejects(readPassphrase(await fileWith("fe-ff", Buffer.from([0xfe, 0xff, 0x0a])), {}), notUtf8);
  await assert.rejects(readPassphrase(await fileWith("ff-fe", Buffer.from([0xff, 0xfe])), {}), notUtf8);
  await assert.rejects(readPassphrase(await fileWith("latin1", Buffer.from("caf\xe9\n", "latin1")), {}), notUtf8);
  // Only the first line is the passphrase: bytes after it do not matter.
  assert.equal(
    await readPassphrase(await fileWith("later", Buffer.concat([Buffer.from("ok\n"), Buffer.from([0xff])])), {}),
    "ok",
  );
});

test("a PGWARDEN_CA_PASSPHRASE Node had to repair (U+FFFD) is refused; a UTF-8 one is used", async () => {
  await assert.rejects(readPassphrase(undefined, { [PASSPHRASE_ENV]: "\uFFFD\uFFFD" }), notUtf8);
  assert.equal(await readPassphrase(undefined, { [PASSPHRASE_ENV]: "ünïcode" }), "ünïcode");
  assert.equal(await readPassphrase(undefined, {}), undefined);
});

test("a passphrase file group or others can read is used, with a warning that names chmod 600; a 0600 one is silent", async () => {
  const open = join(dir, "open");
  await writeFile(open, "shared\n", { mode: 0o644 });
  await chmod(open, 0o644);
  const warnings: string[] = [];
  assert.equal(await readPassphrase(open, {}, (message) => warnings.push(message)), "shared");
  assert.deepEqual(warnings, [`passphrase file ${open} can be read by group or others (mode 0644): chmod 600 ${open}`]);
  const quiet: string[] = [];
  await readPassphrase(await fileWith("private", "secret\n"), {}, (message) => quiet.push(message));
  assert.deepEqual(quiet, []);
});
