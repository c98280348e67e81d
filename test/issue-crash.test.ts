import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PGWARDEN_BIN, pgwarden, tempDir } from "./support/cli.js";
import { seededRandom } from "./support/seeded-random.js";

const NAMES = 3000;
const KILLS_PER_PHASE = 8;

/** Every file name under the PKI directory, recursively, relative to it. */
async function allFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await allFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

/** Every key/certificate pair on disk: both present and matching, or neither. Returns how many pairs there are. */
async function assertPairsMatch(groupDir: string): Promise<number> {
  const names = new Set(await readdir(groupDir));
  let pairs = 0;
  for (const name of names) {
    if (!name.endsWith(".crt")) continue;
    const base = name.slice(0, -4);
    assert.ok(names.has(`${base}.key`), `${name} has its key`);
    const cert = new X509Certificate(await readFile(join(groupDir, name)));
    assert.ok(cert.checkPrivateKey(createPrivateKey(await readFile(join(groupDir, `${base}.key`)))), `${base}.key matches ${name}`);
    pairs++;
  }
  for (const name of names) if (name.endsWith(".key")) assert.ok(names.has(`${name.slice(0, -4)}.crt`), `${name} has its certificate`);
  return pairs;
}

async function assertNoTempFiles(pki: string): Promise<void> {
  const leftovers = (await allFiles(pki)).filter((name) => name.endsWith(".tmp") || /(^|\/)db\/journal\/[^/]+$/.test(name));
  assert.deepEqual(leftovers, [], "no temp files and no pending journal after the next command");
}

/** Starts `cert issue --cn-file` and kills it with SIGKILL after `delayMs`; true when the kill landed before it finished. */
async function issueAndKill(args: readonly string[], delayMs: number): Promise<boolean> {
  const child = spawn(process.execPath, [PGWARDEN_BIN, ...args], { stdio: "ignore" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
  const signal = await exited;
  clearTimeout(timer);
  return signal === "SIGKILL";
}

interface ListEntry {
  readonly commonName: string;
  readonly status: string;
  readonly origin: string;
}

async function listJson(pki: string): Promise<ListEntry[]> {
  const listed = await pgwarden(["--format", "json", "cert", "list", "--pki", pki]);
  assert.equal(listed.code, 0, listed.stderr);
  return JSON.parse(listed.stdout) as ListEntry[];
}

describe("cert issue --cn-file killed with SIGKILL at random moments", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let names: string;
  const random = seededRandom(0x5eed);
  /** Spread over start-up and the whole batch, shuffled so neighbouring kills land far apart. */
  const delays = (count: number, spanMs: number) => Array.from({ length: count }, (_, i) => 150 + Math.round(((i + random()) / count) * spanMs)).sort(() => random() - 0.5);

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    pki = join(dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    names = join(dir, "names.txt");
    await writeFile(names, Array.from({ length: NAMES }, (_, i) => `crash_user_${i}`).join("\n"));
  });
  after(() => cleanup());

  test("every kill leaves matching pairs, no temp files and no missing record; a re-run without --force finishes and reports what it skipped", async () => {
    const args = ["cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", names, "--quiet"];
    let interrupted = 0;
    for (const delay of delays(KILLS_PER_PHASE, 2500)) {
      if (await issueAndKill(args, delay)) interrupted++;
      const entries = await listJson(pki);
      await assertNoTempFiles(pki);
      const pairs = await assertPairsMatch(join(pki, "client"));
      const leaves = entries.filter((entry) => entry.origin === "issued" && entry.commonName.startsWith("crash_user_"));
      assert.equal(leaves.length, pairs, "one record per pair on disk");
      assert.deepEqual(
        leaves.filter((entry) => entry.status !== "valid"),
        [],
        "a killed batch leaves no record shown missing",
      );
    }
    assert.ok(interrupted >= KILLS_PER_PHASE / 2, `most kills landed before the batch ended (${interrupted})`);
    const before = await assertPairsMatch(join(pki, "client"));
    const rerun = await pgwarden(["--format", "json", ...args.filter((arg) => arg !== "--quiet")]);
    assert.equal(rerun.code, 0, rerun.stderr);
    const report = JSON.parse(rerun.stdout) as { issued: unknown[]; skipped: unknown[] };
    assert.equal(report.skipped.length, before, "names already issued and intact are skipped");
    assert.equal(report.issued.length, NAMES - before, "only the missing are issued");
    assert.match(rerun.stderr, new RegExp(`issued ${NAMES - before} client certificates, skipped ${before} already issued`));
    assert.equal(await assertPairsMatch(join(pki, "client")), NAMES);
    await assertNoTempFiles(pki);
  });

  test("every kill of a --force re-run leaves each pair old+old or new+new once the next command has run", async () => {
    const args = ["cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", names, "--quiet", "--force"];
    let interrupted = 0;
    for (const delay of delays(KILLS_PER_PHASE, 2500)) {
      if (await issueAndKill(args, delay)) interrupted++;
      const entries = await listJson(pki);
      await assertNoTempFiles(pki);
      assert.equal(await assertPairsMatch(join(pki, "client")), NAMES);
      const statuses = new Set(entries.filter((entry) => entry.commonName.startsWith("crash_user_")).map((entry) => entry.status));
      assert.deepEqual([...statuses].filter((status) => status !== "valid" && status !== "replaced"), [], "only valid and replaced records");
      assert.equal(entries.filter((entry) => entry.status === "valid" && entry.commonName.startsWith("crash_user_")).length, NAMES);
    }
    assert.ok(interrupted >= KILLS_PER_PHASE / 2, `most kills landed before the batch ended (${interrupted})`);
    const verified = await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", names, "--quiet"]);
    assert.equal(verified.code, 0, `a plain re-run after the forced ones skips every intact pair: ${verified.stderr}`);
  });
});
