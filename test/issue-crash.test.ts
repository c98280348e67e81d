import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";
import { runAndKillAfterRecords } from "./support/kill-after-records.js";
import { seededRandom } from "./support/seeded-random.js";

const NAMES = 1500;
const KILLS_PER_PHASE = 6;
const CHUNK = 32;

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
    assert.ok(
      cert.checkPrivateKey(createPrivateKey(await readFile(join(groupDir, `${base}.key`)))),
      `${base}.key matches ${name}`,
    );
    pairs++;
  }
  for (const name of names)
    if (name.endsWith(".key")) assert.ok(names.has(`${name.slice(0, -4)}.crt`), `${name} has its certificate`);
  return pairs;
}

async function assertNoTempFiles(pki: string): Promise<void> {
  const leftovers = (await allFiles(pki)).filter(
    (name) => name.endsWith(".tmp") || /(^|\/)db\/journal\/[^/]+$/.test(name),
  );
  assert.deepEqual(leftovers, [], "no temp files and no pending journal after the next command");
}

interface ListEntry {
  readonly commonName: string;
  readonly status: string;
  readonly origin: string;
}

async function listJson(pki: string): Promise<ListEntry[]> {
  const listed = await pgwarden(["--format", "json", "cert", "list", "--pki", pki]);
  assert.equal(listed.code, 0, listed.stderr);
  return (JSON.parse(listed.stdout) as { certificates: ListEntry[] }).certificates;
}

describe("cert issue --cn-file killed with SIGKILL at random moments", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let pki: string;
  let names: string;
  const random = seededRandom(0x5eed);
  /** A random moment in a batch of `pending` names: after 0 to most of its chunks, plus up to 30 ms. */
  const moment = (pending: number) => ({
    chunks: Math.floor(random() * 0.8 * Math.ceil(pending / CHUNK)),
    jitterMs: Math.floor(random() * 30),
  });

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
    let pending = NAMES;
    for (let kill = 0; kill < KILLS_PER_PHASE; kill++) {
      const { chunks, jitterMs } = moment(pending);
      if (await runAndKillAfterRecords(pki, args, chunks, jitterMs)) interrupted++;
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
      pending = NAMES - pairs;
    }
    assert.ok(interrupted >= KILLS_PER_PHASE / 2, `most kills landed before the batch ended (${interrupted})`);
    const before = await assertPairsMatch(join(pki, "client"));
    const rerun = await pgwarden(["--format", "json", ...args.filter((arg) => arg !== "--quiet")]);
    assert.equal(rerun.code, 0, rerun.stderr);
    const report = JSON.parse(rerun.stdout) as { issued: unknown[]; skipped: unknown[] };
    assert.equal(report.skipped.length, before, "names already issued and intact are skipped");
    assert.equal(report.issued.length, NAMES - before, "only the missing are issued");
    assert.match(
      rerun.stderr,
      new RegExp(`issued ${NAMES - before} client certificates, skipped ${before} already issued`),
    );
    assert.equal(await assertPairsMatch(join(pki, "client")), NAMES);
    await assertNoTempFiles(pki);
  });

  test("every kill of a --force re-run leaves each pair old+old or new+new once the next command has run", async () => {
    const args = ["cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", names, "--quiet", "--force"];
    let interrupted = 0;
    const pending = NAMES;
    for (let kill = 0; kill < KILLS_PER_PHASE; kill++) {
      const { chunks, jitterMs } = moment(pending);
      if (await runAndKillAfterRecords(pki, args, chunks, jitterMs)) interrupted++;
      const entries = await listJson(pki);
      await assertNoTempFiles(pki);
      assert.equal(await assertPairsMatch(join(pki, "client")), NAMES);
      const statuses = new Set(
        entries.filter((entry) => entry.commonName.startsWith("crash_user_")).map((entry) => entry.status),
      );
      assert.deepEqual(
        [...statuses].filter((status) => status !== "valid" && status !== "replaced"),
        [],
        "only valid and replaced records",
      );
      assert.equal(
        entries.filter((entry) => entry.status === "valid" && entry.commonName.startsWith("crash_user_")).length,
        NAMES,
      );
    }
    assert.ok(interrupted >= KILLS_PER_PHASE / 2, `most kills landed before the batch ended (${interrupted})`);
    const verified = await pgwarden([
      "cert",
      "issue",
      "--pki",
      pki,
      "--profile",
      "client",
      "--cn-file",
      names,
      "--quiet",
    ]);
    assert.equal(verified.code, 0, `a plain re-run after the forced ones skips every intact pair: ${verified.stderr}`);
  });
});

describe("a replacement cut short between the key's rename and the certificate's", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  test("cert export, the next command to read the pair, finishes it first and hands out a matching key and certificate", async () => {
    const pki = join(dir, "pki");
    assert.equal((await pgwarden(["ca", "init", "--pki", pki])).code, 0);
    assert.equal((await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "alice"])).code, 0);
    assert.equal(
      (await pgwarden(["cert", "issue", "--pki", pki, "--profile", "client", "--cn", "alice", "--group", "next"])).code,
      0,
    );
    // What a writer killed between its two renames leaves: the new key in place, the new certificate in its temp, the journal.
    const deadPid = spawnSync(process.execPath, ["-e", "0"]).pid;
    const certTemp = `client/.alice.crt.${deadPid}.abc1.tmp`;
    await rename(join(pki, "next", "alice.crt"), join(pki, certTemp));
    await rename(join(pki, "next", "alice.key"), join(pki, "client", "alice.key"));
    const record = {
      ...(JSON.parse(
        (
          await readFile(
            join(pki, "db", "certs", (await readdir(join(pki, "db", "certs"))).sort().at(-1) as string),
            "utf8",
          )
        ).trim(),
      ) as object),
    };
    await mkdir(join(pki, "db", "journal"), { recursive: true });
    const pair = {
      key: { temp: "client/.alice.key.gone.tmp", target: "client/alice.key" },
      cert: { temp: certTemp, target: "client/alice.crt" },
      record: { ...record, certPath: "client/alice.crt", keyPath: "client/alice.key" },
    };
    await writeFile(
      join(pki, "db", "journal", `${deadPid}.abc123.json`),
      JSON.stringify({ version: 1, replace: true, recordFile: "20260101T000000000Z-1-abc123.jsonl", pairs: [pair] }),
    );
    const exported = await pgwarden(["cert", "export", "--pki", pki, "--cn", "alice", "--out", join(dir, "bundle")]);
    assert.equal(exported.code, 0, exported.stderr);
    const cert = new X509Certificate(await readFile(join(dir, "bundle", "postgresql.crt")));
    assert.ok(
      cert.checkPrivateKey(createPrivateKey(await readFile(join(dir, "bundle", "postgresql.key")))),
      "the exported key is the certificate's",
    );
    await assertNoTempFiles(pki);
  });
});
