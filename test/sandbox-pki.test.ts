import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, readFile, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";

// Straight under the temp dir: the postgres account must be able to enter it.
const sandbox = join(tmpdir(), `pgwarden-sandbox-pki-test-${randomBytes(4).toString("hex")}`);
let work: { dir: string; cleanup: () => Promise<void> };
/** Where up runs, with the PKI under it; and another working directory with no ./pki, where the later commands run. */
let first: { dir: string; cleanup: () => Promise<void> };
let elsewhere: { dir: string; cleanup: () => Promise<void> };
let pki: string;

before(async () => {
  work = await tempDir("pgwarden-sandbox-pki-");
  first = await tempDir("pgwarden-sandbox-pki-cwd-");
  elsewhere = await tempDir("pgwarden-sandbox-pki-elsewhere-");
  pki = join(work.dir, "pki");
});

after(async () => {
  await pgwarden(["sandbox", "down", "--dir", sandbox, "--purge"]);
  await rm(sandbox, { recursive: true, force: true });
  await Promise.all([work, first, elsewhere].map((dir) => dir.cleanup()));
});

const noPkiHere = async (dir: string) =>
  assert.equal(await stat(join(dir, "pki")).catch(() => undefined), undefined, `no ./pki made in ${dir}`);

test("after sandbox up --pki P, status and up again from another directory use P without --pki; down stops it from there", async () => {
  const up = await pgwarden(["sandbox", "up", "--pki", pki, "--dir", sandbox], { cwd: first.dir });
  assert.equal(up.code, 0, up.stderr);

  const status = await pgwarden(["sandbox", "status", "--dir", sandbox], { cwd: elsewhere.dir });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`verified:\\s+chain to the pgwarden CA ${pki}/ca/ca\\.crt, name localhost`));
  assert.equal(status.stderr, "");

  const again = await pgwarden(["sandbox", "up", "--dir", sandbox, "--format", "json"], { cwd: elsewhere.dir });
  assert.equal(again.code, 0, again.stderr);
  const result = JSON.parse(again.stdout) as {
    action: string;
    serverCertificate: { certPath: string; action: string };
    served: { matches: boolean };
  };
  const { action, serverCertificate, served } = result;
  const kept = ["running", join(pki, "sandbox", "localhost.crt"), "kept", true];
  assert.deepEqual([action, serverCertificate.certPath, serverCertificate.action, served.matches], kept);
  await noPkiHere(elsewhere.dir);

  const down = await pgwarden(["sandbox", "down", "--dir", sandbox], { cwd: elsewhere.dir });
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, /stopped/);
  const stopped = await pgwarden(["sandbox", "status", "--dir", sandbox], { cwd: elsewhere.dir });
  assert.equal(stopped.code, 1, stopped.stderr);
  assert.match(stopped.stdout, /server:\s+stopped/);
  const restarted = await pgwarden(["sandbox", "up", "--dir", sandbox], { cwd: elsewhere.dir });
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.match(restarted.stdout, /\(started\)/);
  await noPkiHere(elsewhere.dir);
});

test("another PKI named for an existing sandbox: PGWARDEN_PKI is set aside with a note, a --pki flag is refused (exit 2, one line)", async () => {
  const other = join(work.dir, "other-pki");
  const init = await pgwarden(["ca", "init", "--pki", other]);
  assert.equal(init.code, 0, init.stderr);

  const fromEnv = await pgwarden(["sandbox", "status", "--dir", sandbox], {
    cwd: elsewhere.dir,
    env: { PGWARDEN_PKI: other },
  });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.equal(
    fromEnv.stderr,
    `pgwarden: using the PKI ${pki} that sandbox up recorded for ${sandbox}, not PGWARDEN_PKI=${other}\n`,
  );

  const before = await readFile(join(pki, "sandbox", "localhost.crt"), "utf8");
  for (const args of [
    ["sandbox", "status", "--dir", sandbox, "--pki", other],
    ["--pki", other, "sandbox", "up", "--dir", sandbox],
  ]) {
    const refused = await pgwarden(args, { cwd: elsewhere.dir });
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(
      refused.stderr,
      `pgwarden: error: --pki ${other} is not the PKI of the sandbox in ${sandbox}, which sandbox up recorded as ${pki} in ${sandbox}/sandbox.json: ` +
        "leave out --pki (the recorded one is used), or use another --dir for a sandbox of that PKI\n",
    );
    assert.equal(refused.stdout, "");
  }
  assert.equal(
    await readFile(join(pki, "sandbox", "localhost.crt"), "utf8"),
    before,
    "the sandbox's certificate is untouched",
  );
  const same = await pgwarden(["sandbox", "status", "--dir", sandbox, "--pki", `${pki}/`], { cwd: elsewhere.dir });
  assert.equal(same.code, 0, same.stderr);
});

test("a PKI moved away: status says where it was (exit 4); up --pki at its new place records it, and status follows", async () => {
  const moved = join(work.dir, "moved-pki");
  await rename(pki, moved);
  try {
    const lost = await pgwarden(["sandbox", "status", "--dir", sandbox], { cwd: elsewhere.dir });
    assert.equal(lost.code, 4);
    assert.equal(
      lost.stderr,
      `pgwarden: error: the sandbox in ${sandbox} was set up with the PKI ${pki} (recorded in ${sandbox}/sandbox.json), which no longer exists: ` +
        "put it back, or give --pki where it is now\n",
    );
    const up = await pgwarden(["sandbox", "up", "--dir", sandbox, "--pki", moved], { cwd: elsewhere.dir });
    assert.equal(up.code, 0, up.stderr);
    assert.equal((JSON.parse(await readFile(join(sandbox, "sandbox.json"), "utf8")) as { pki: string }).pki, moved);
    const status = await pgwarden(["sandbox", "status", "--dir", sandbox], { cwd: elsewhere.dir });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`chain to the pgwarden CA ${moved}/ca/ca\\.crt`));
  } finally {
    await rename(moved, pki);
  }
  const back = await pgwarden(["sandbox", "up", "--dir", sandbox, "--pki", pki], { cwd: elsewhere.dir });
  assert.equal(back.code, 0, back.stderr);
  assert.equal((JSON.parse(await readFile(join(sandbox, "sandbox.json"), "utf8")) as { pki: string }).pki, pki);
});

test("a sandbox.json others may write is not believed about its PKI: a warning, and the PKI named as usual", async () => {
  const stateFile = join(sandbox, "sandbox.json");
  await chmod(stateFile, 0o666);
  try {
    const status = await pgwarden(["sandbox", "status", "--dir", sandbox], { cwd: elsewhere.dir });
    assert.equal(status.code, 4);
    const warning =
      `^pgwarden: warning: not using the PKI named in ${stateFile}: ` +
      `${stateFile} may be written by other users \\(mode 0666\\); using ${elsewhere.dir}/pki instead\\n`;
    assert.match(status.stderr, new RegExp(warning));
    assert.match(status.stderr, /\npgwarden: error: no CA in .*\/pki\/ca/);
    await noPkiHere(elsewhere.dir);
  } finally {
    await chmod(stateFile, 0o644);
  }
});
