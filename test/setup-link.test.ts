import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, chown, lstat, mkdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { PGWARDEN_BIN, REPO_ROOT, tempDir } from "./support/cli.js";
import { systemPathWithoutPgwarden } from "./support/system-path.js";

/** The system's own directories, without any pgwarden a setup linked there (CI runs setup.sh first). */
const SYSTEM_PATH = systemPathWithoutPgwarden();

/** Runs a script of this repository with bash, its link step pointed at `binDir` instead of npm's global bin. */
function bash(
  script: string,
  binDir: string,
  path: string,
  cwd = "/",
  asUser?: string,
): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, PATH: path, PGWARDEN_BIN_DIR: binDir };
  const [program, args] = asUser ? ["runuser", ["-u", asUser, "--", "bash", "-c", script]] : ["bash", ["-c", script]];
  const result = spawnSync(program, args, { cwd, encoding: "utf8", env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const LINK = `bash ${JSON.stringify(join(REPO_ROOT, "scripts", "link-bin.sh"))}`;

test("setup's link step puts pgwarden on PATH: `pgwarden --version` from another directory runs this checkout", async () => {
  const { version } = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  const work = await tempDir("pgwarden-link-");
  try {
    const binDir = join(work.dir, "bin");
    const path = `${binDir}:${SYSTEM_PATH}`;
    assert.notEqual(bash("command -v pgwarden", binDir, path).code, 0, "no pgwarden on PATH before the link step");
    const linked = bash(LINK, binDir, path);
    assert.equal(linked.code, 0, linked.stderr);
    assert.equal(linked.stdout, "", "its messages go to stderr");
    assert.match(linked.stderr, new RegExp(`linked ${binDir}/pgwarden -> ${PGWARDEN_BIN}`));
    const run = bash("command -v pgwarden && pgwarden --version", binDir, path, work.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${binDir}/pgwarden\npgwarden ${version}\n`);

    // Again: nothing changes, and it says so.
    const again = bash(LINK, binDir, path);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already linked/);
    assert.equal(await readlink(join(binDir, "pgwarden")), PGWARDEN_BIN);

    // Not root: a user links into a directory of its own (here as nobody, when the tests run as root).
    if (process.getuid?.() === 0) {
      const ownDir = join(work.dir, "nobody-bin");
      await mkdir(ownDir);
      await chown(ownDir, 65534, 65534);
      await chmod(work.dir, 0o755);
      const asNobody = bash(`${LINK} && pgwarden --version`, ownDir, `${ownDir}:${SYSTEM_PATH}`, "/", "nobody");
      assert.equal(asNobody.code, 0, asNobody.stderr);
      assert.equal(asNobody.stdout, `pgwarden ${version}\n`);
      assert.equal((await lstat(join(ownDir, "pgwarden"))).uid, 65534, "the link is nobody's own");
    }
  } finally {
    await work.cleanup();
  }
});

test("the link step replaces a link to another checkout's pgwarden, leaves anything else alone, and says when its directory is not on PATH", async () => {
  const work = await tempDir("pgwarden-link-");
  try {
    const binDir = join(work.dir, "bin");
    await mkdir(binDir);
    await symlink("/elsewhere/pgwarden/bin/pgwarden.js", join(binDir, "pgwarden"));
    const replaced = bash(LINK, binDir, SYSTEM_PATH);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stderr, /replacing .*pgwarden -> \/elsewhere\/pgwarden\/bin\/pgwarden\.js/);
    assert.match(
      replaced.stderr,
      new RegExp(`${binDir} is not on PATH: add it \\(export PATH="${binDir}:\\$PATH"\\), or run node ${PGWARDEN_BIN}`),
    );
    assert.equal(await readlink(join(binDir, "pgwarden")), PGWARDEN_BIN);

    const otherDir = join(work.dir, "other");
    await mkdir(otherDir);
    await writeFile(join(otherDir, "pgwarden"), "#!/bin/sh\necho someone else's\n", { mode: 0o755 });
    const refused = bash(LINK, otherDir, SYSTEM_PATH);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /pgwarden exists and is not a link to pgwarden: move it away, or set PGWARDEN_BIN_DIR/,
    );
    assert.equal(
      await readFile(join(otherDir, "pgwarden"), "utf8"),
      "#!/bin/sh\necho someone else's\n",
      "left as it was",
    );
  } finally {
    await work.cleanup();
  }
});

test("setup.sh builds, then runs the link step, last; only --tests installs the test-only clients", async () => {
  const setup = await readFile(join(REPO_ROOT, "scripts", "setup.sh"), "utf8");
  const steps = setup.split("\n").filter((line) => /^(npm|bash) /.test(line) || /^if \[ -f package-lock/.test(line));
  assert.deepEqual(steps.slice(-2), ["npm run build --silent", "bash scripts/link-bin.sh"], "build, then link, last");
  const testsOnly = /^if \$tests; then\n([\s\S]*?)\nfi$/m.exec(setup)?.[1] ?? "";
  for (const pkg of [
    "pgbouncer",
    "python3-psycopg",
    "libpostgresql-jdbc-java",
    "default-jre-headless",
    "chromium",
    "postgresql-15-pgaudit",
  ]) {
    assert.ok(testsOnly.includes(`need+=(${pkg})`), `${pkg} under --tests`);
    assert.equal(setup.split(`need+=(${pkg})`).length, 2, `${pkg} nowhere else`);
  }
  const unknown = spawnSync("bash", [join(REPO_ROOT, "scripts", "setup.sh"), "--bogus"], { encoding: "utf8" });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^setup: unknown argument '--bogus'/);
});
