import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { pgwarden, PGWARDEN_BIN, REPO_ROOT, tempDir } from "./support/cli.js";
import { systemPathWithoutPgwarden } from "./support/system-path.js";

// Straight under the temp dir (the sandbox's server account must enter it), with a space and a quote that a pasted line must survive.
const dir = join(tmpdir(), `pgwarden-quickstart-next test's-${randomBytes(4).toString("hex")}`);
/** The system's own directories, without any pgwarden a setup linked there (CI runs setup.sh first). */
const SYSTEM_PATH = systemPathWithoutPgwarden();
let bin: { dir: string; cleanup: () => Promise<void> };
/** A working directory with no ./pki: where a person pastes the lines. */
let elsewhere: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  bin = await tempDir("pgwarden-quickstart-next-bin-");
  elsewhere = await tempDir("pgwarden-quickstart-next-cwd-");
  // Setup's link step, into a bin directory of the test's own rather than the machine's.
  const linked = spawnSync("bash", [join(REPO_ROOT, "scripts", "link-bin.sh")], {
    encoding: "utf8",
    env: { ...process.env, PGWARDEN_BIN_DIR: bin.dir },
  });
  assert.equal(linked.status, 0, linked.stderr);
});

after(async () => {
  await pgwarden(["sandbox", "down", "--dir", join(dir, "sandbox"), "--purge"]);
  await rm(dir, { recursive: true, force: true });
  await bin.cleanup();
  await elsewhere.cleanup();
});

/** What quickstart printed to paste: the psql line, the stop line's command, and the block under "Next". */
function pasteLines(stdout: string): { psql: string; stop: string; next: string[] } {
  const lines = stdout.split("\n");
  const psql = lines[lines.indexOf("Connect yourself:") + 1]?.trim() ?? "";
  const stop = /^Stop the sandbox: (.+)$/m.exec(stdout)?.[1] ?? "";
  const start = lines.findIndex((line) => line.startsWith("Next, in this shell"));
  assert.ok(psql.startsWith("psql ") && stop !== "" && start > 0, `nothing to paste in:\n${stdout}`);
  const next: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("  ")) break;
    next.push(line.slice(2));
  }
  assert.equal(lines.slice(start + 1 + next.length).join(""), "", "the block to paste is quickstart's last");
  return { psql, stop, next };
}

/** `pgwarden quickstart --dir dir` run from `elsewhere` with this PATH (which the lines it prints depend on). */
function quickstartWith(path: string) {
  const env = { ...process.env, PATH: path, PGWARDEN_PKI: undefined };
  return spawnSync(process.execPath, [PGWARDEN_BIN, "quickstart", "--dir", dir], {
    cwd: elsewhere.dir,
    encoding: "utf8",
    env,
  });
}

/** Pastes `lines` into bash in `elsewhere`, one after another, stopping at the first that fails. */
function paste(lines: readonly string[], path: string, input = "") {
  const result = spawnSync("bash", ["-e", "-c", lines.join("\n")], {
    cwd: elsewhere.dir,
    input,
    encoding: "utf8",
    env: { ...process.env, PATH: path, PGWARDEN_PKI: undefined, PGWARDEN_DEBUG: undefined },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("quickstart ends with lines that work when pasted from another directory: export PGWARDEN_PKI, pgwarden cert list, sandbox status; psql logs in", () => {
  const path = `${bin.dir}:${SYSTEM_PATH}`;
  const run = quickstartWith(path);
  assert.equal(run.status, 0, run.stderr);
  const { psql, stop, next } = pasteLines(run.stdout);
  const expected = [
    `export PGWARDEN_PKI="${dir}/pki"`,
    "pgwarden cert list",
    `pgwarden sandbox status --dir "${dir}/sandbox"`,
  ];
  assert.deepEqual(next, expected, "pgwarden by name: PATH finds it");
  const pasted = paste(next, path);
  assert.equal(pasted.code, 0, `${next.join("\n")}\n${pasted.stderr}`);
  assert.match(pasted.stdout, /dbuser_dba/, "cert list read the quickstart's PKI");
  assert.match(
    pasted.stdout,
    /verified:\s+chain to the pgwarden CA .*, name localhost/,
    "sandbox status verified the served certificate",
  );

  const login = paste(
    [psql],
    path,
    "SELECT current_user || ' ' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n",
  );
  assert.equal(login.code, 0, `${psql}\n${login.stderr}`);
  assert.match(login.stdout, /^ dbuser_dba true$/m);

  // `sandbox status --dir` given the quickstart's own directory names the sandbox inside it.
  const quickstartDir = paste([`pgwarden sandbox status --dir ${JSON.stringify(dir)}`], path);
  assert.equal(quickstartDir.code, 4);
  assert.match(quickstartDir.stderr, /but there is one in .*\/sandbox: give --dir /);

  const stopped = paste([stop], path);
  assert.equal(stopped.code, 0, `${stop}\n${stopped.stderr}`);
  assert.match(stopped.stdout, /: stopped$/m);
});

test("without pgwarden on PATH, quickstart prints bin/pgwarden.js's full path, and the pasted lines work the same", () => {
  const run = quickstartWith(SYSTEM_PATH);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /pgwarden is not on PATH here, so its full path; bash scripts\/setup\.sh puts it there/);
  const { stop, next } = pasteLines(run.stdout);
  assert.ok(
    next.slice(1).every((line) => line.startsWith(`${PGWARDEN_BIN} `)),
    next.join("\n"),
  );
  const pasted = paste(next, SYSTEM_PATH);
  assert.equal(pasted.code, 0, `${next.join("\n")}\n${pasted.stderr}`);
  assert.match(pasted.stdout, /verified:\s+chain to the pgwarden CA/);
  const stopped = paste([stop], SYSTEM_PATH);
  assert.equal(stopped.code, 0, stopped.stderr);
});
