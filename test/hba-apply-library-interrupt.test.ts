/*
 * applyHba used as a library by a program with signal handlers of its own: an interrupt while
 * the new rules are on trial puts the old file back and the call rejects as `interrupted`
 * (never resolving as if the new rules were installed); the program's handler hears the signal
 * once; a program with no handler ends by the signal, as it would have without pgwarden.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";

import { tempDir } from "./support/cli.js";
import { type Cluster, findPgBinDir, startCluster } from "./support/pg-cluster.js";

const APPLY_MODULE = pathToFileURL(resolve(import.meta.dirname, "..", "src", "hba", "apply.js")).href;

let cluster: Cluster;
let dir = "";
let cleanup: () => Promise<void> = () => Promise.resolve();

before(async () => {
  cluster = await startCluster();
  ({ dir, cleanup } = await tempDir());
});
after(async () => {
  await cluster?.stop();
  await cleanup();
});

/** A program that applies new rules and sends itself SIGINT the moment the new file is in place. */
function program(withHandler: boolean, signal: NodeJS.Signals = "SIGINT"): string {
  return `
import { watch } from "node:fs";
import { readFileSync } from "node:fs";
import { applyHba, pgdataTarget } from ${JSON.stringify(APPLY_MODULE)};
const [dataDir, binDir] = process.argv.slice(2);
const file = dataDir + "/pg_hba.conf";
const old = readFileSync(file, "utf8");
const text = "local all blocked_role reject\\n" + old;
let heard = 0;
${withHandler ? `process.on("${signal}", () => { heard += 1; });` : ""}
const watcher = watch(dataDir, () => {
  let now = "";
  try { now = readFileSync(file, "utf8"); } catch {}
  if (now === text) { watcher.close(); process.kill(process.pid, "${signal}"); }
});
const target = await pgdataTarget(dataDir, binDir);
let outcome;
try {
  const result = await applyHba(target, text, { now: new Date() });
  outcome = { resolved: result.action };
} catch (error) {
  outcome = { code: error.code, exitCode: error.exitCode, message: error.message };
}
watcher.close();
console.log(JSON.stringify({ ...outcome, heard, oldBack: readFileSync(file, "utf8") === old }));
`;
}

function run(
  script: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [script, cluster.dataDir, findPgBinDir()], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

test("with a SIGINT handler of its own: the old rules come back, applyHba rejects as interrupted (exit code 130), the handler hears it once", async () => {
  const before = await readFile(join(cluster.dataDir, "pg_hba.conf"), "utf8");
  const script = join(dir, "with-handler.mjs");
  await writeFile(script, program(true));
  const result = await run(script);
  assert.equal(result.code, 0, result.stderr);
  const outcome = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.equal(outcome.resolved, undefined, `applyHba must not report the new rules installed: ${result.stdout}`);
  assert.equal(outcome.code, "interrupted", result.stdout);
  assert.equal(outcome.exitCode, 130);
  assert.match(String(outcome.message), /interrupted \(SIGINT\): the previous rules are back in .*pg_hba\.conf/);
  assert.equal(outcome.heard, 1, "the program's own handler hears the signal once");
  assert.equal(outcome.oldBack, true);
  assert.equal(await readFile(join(cluster.dataDir, "pg_hba.conf"), "utf8"), before);
  // The server serves the old rules: the role the new first line would refuse is not refused by it.
  assert.doesNotMatch(
    await cluster.sql("SELECT string_agg(user_name::text, ',') FROM pg_hba_file_rules"),
    /blocked_role/,
  );
});

test("SIGTERM, with a handler: the same, and the exit code the command line gives for it (143)", async () => {
  const before = await readFile(join(cluster.dataDir, "pg_hba.conf"), "utf8");
  const script = join(dir, "term-handler.mjs");
  await writeFile(script, program(true, "SIGTERM"));
  const result = await run(script);
  assert.equal(result.code, 0, result.stderr);
  const outcome = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.equal(outcome.code, "interrupted", result.stdout);
  assert.equal(outcome.exitCode, 143);
  assert.equal(outcome.heard, 1);
  assert.equal(await readFile(join(cluster.dataDir, "pg_hba.conf"), "utf8"), before);
});

test("with no SIGINT handler: the old rules come back and the program ends by the signal, as without pgwarden", async () => {
  const before = await readFile(join(cluster.dataDir, "pg_hba.conf"), "utf8");
  const script = join(dir, "no-handler.mjs");
  await writeFile(script, program(false));
  const result = await run(script);
  assert.equal(result.signal, "SIGINT", `${result.code} ${result.stdout} ${result.stderr}`);
  assert.equal(result.stdout, "");
  assert.equal(await readFile(join(cluster.dataDir, "pg_hba.conf"), "utf8"), before);
});
