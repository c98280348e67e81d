/*
 * npm run bench:issue — issues 2,000 client certificates with fresh P-256 keys through
 * `pgwarden cert issue --cn-file` (the real CLI, in a child process, start-up included),
 * and measures in the same run the raw node:crypto limit on as many threads: key
 * generation plus one signature per certificate, nothing else.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { closeSync, openSync, renameSync, writeSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, workerData } from "node:worker_threads";

import { writeFileAtomic } from "../src/core/fs/atomic-write.js";
import { runOnWorkers } from "./support/workers.js";

const CERTIFICATES = 2000;
/** Roughly the size of a client certificate's to-be-signed part. */
const TBS_BYTES = 350;

/**
 * Directories are removed only when the whole run is over: ext4 skips inodes freed in the
 * last minutes when it allocates new ones (`recently_deleted`), which slows file creation
 * several times over, so deleting one measurement's files would slow the next one.
 */
const scratch: string[] = [];

async function scratchDirectory(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

function rawLoop(count: number): void {
  const { privateKey: caKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const tbs = Buffer.alloc(TBS_BYTES, 7);
  for (let i = 0; i < count; i++) {
    generateKeyPairSync("ec", { namedCurve: "P-256" });
    sign("sha256", tbs, caKey);
  }
}

async function rawLimit(threads: number): Promise<number> {
  const perThread = Math.ceil(CERTIFICATES / threads);
  const started = performance.now();
  await runOnWorkers(fileURLToPath(import.meta.url), threads, perThread);
  return (perThread * threads) / ((performance.now() - started) / 1000);
}

/** The disk's side: atomic, fsync'd small-file writes per second (pgwarden needs two per certificate). */
async function diskWriteRate(): Promise<number> {
  const dir = await scratchDirectory("pgwarden-bench-disk-");
  const files = CERTIFICATES * 2;
  const body = "x".repeat(600);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < files; i = next++)
        await writeFileAtomic(join(dir, `f${i}`), body, { mode: 0o600, exclusive: true });
    }),
  );
  return files / ((performance.now() - started) / 1000);
}

/** The file system's side without any fsync: create, write, close and rename small files, one thread. */
async function fileCreateRate(): Promise<number> {
  const dir = await scratchDirectory("pgwarden-bench-create-");
  const files = CERTIFICATES * 2;
  const body = "x".repeat(600);
  const started = performance.now();
  for (let i = 0; i < files; i++) {
    const temp = join(dir, `.f${i}.tmp`);
    const fd = openSync(temp, "wx", 0o600);
    writeSync(fd, body);
    closeSync(fd);
    renameSync(temp, join(dir, `f${i}`));
  }
  return files / ((performance.now() - started) / 1000);
}

/** With `intermediates`, the PKI has the client intermediate: each certificate is three files (key, leaf, chain). */
async function pgwardenRate(intermediates = false): Promise<{ rate: number; seconds: number }> {
  const dir = await scratchDirectory("pgwarden-bench-");
  const bin = fileURLToPath(new URL("../../bin/pgwarden.js", import.meta.url));
  const pki = join(dir, "pki");
  execFileSync(process.execPath, [
    bin,
    "ca",
    "init",
    "--pki",
    pki,
    "--quiet",
    ...(intermediates ? ["--intermediates", "--no-passphrase"] : []),
  ]);
  const names = join(dir, "users.txt");
  await writeFile(names, Array.from({ length: CERTIFICATES }, (_, i) => `bench_user_${i}`).join("\n"));
  const started = performance.now();
  execFileSync(
    process.execPath,
    [bin, "cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", names, "--quiet"],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const seconds = (performance.now() - started) / 1000;
  const files = await readdir(join(pki, "client"));
  const written = files.filter((name) => name.endsWith(".crt") && !name.endsWith(".fullchain.crt")).length;
  const chains = files.filter((name) => name.endsWith(".fullchain.crt")).length;
  if (chains !== (intermediates ? CERTIFICATES : 0))
    throw new Error(`expected a chain file per certificate, found ${chains}`);
  if (written !== CERTIFICATES) throw new Error(`expected ${CERTIFICATES} certificates, found ${written}`);
  return { rate: CERTIFICATES / seconds, seconds };
}

async function main(): Promise<void> {
  const threads = availableParallelism();
  const limit = await rawLimit(threads);
  const diskWrites = await diskWriteRate();
  const creates = await fileCreateRate();
  const runs = [await pgwardenRate(), await pgwardenRate(), await pgwardenRate()];
  const best = runs.reduce((a, b) => (a.rate > b.rate ? a : b));
  const median = [...runs].sort((a, b) => a.rate - b.rate)[1] as { rate: number; seconds: number };
  console.log(`machine: ${cpus()[0]?.model ?? "unknown"}, ${threads} threads, node ${process.version}`);
  console.log(`raw node:crypto limit (P-256 keygen + sign, ${threads} threads): ${limit.toFixed(0)} certificates/s`);
  console.log(
    `disk: ${diskWrites.toFixed(0)} atomic fsync'd file writes/s, 16 writers on Node's default pool (pgwarden makes two per certificate: ${(diskWrites / 2).toFixed(0)} certificates/s at this moment)`,
  );
  console.log(`file system without fsync: ${creates.toFixed(0)} small files created and renamed/s on one thread`);
  console.log(
    `pgwarden cert issue --cn-file, ${CERTIFICATES} client certificates (3 runs): ${runs.map((run) => `${run.rate.toFixed(0)}/s`).join(", ")}`,
  );
  console.log(
    `median ${median.rate.toFixed(0)} certificates/s (${median.seconds.toFixed(2)} s, start-up included), best ${best.rate.toFixed(0)}/s`,
  );
  console.log(`ratio to the raw limit: ${((median.rate / limit) * 100).toFixed(1)}%`);
  console.log(`target 1000 certificates/s: ${median.rate >= 1000 ? "met" : "NOT met"}`);
  const chained = [await pgwardenRate(true), await pgwardenRate(true), await pgwardenRate(true)];
  const chainedMedian = [...chained].sort((a, b) => a.rate - b.rate)[1] as { rate: number; seconds: number };
  console.log(
    `with the client intermediate (key, leaf and <cn>.fullchain.crt per certificate, 3 runs): ` +
      `${chained.map((run) => `${run.rate.toFixed(0)}/s`).join(", ")}; ` +
      `median ${chainedMedian.rate.toFixed(0)}/s, target 1000/s ${chainedMedian.rate >= 1000 ? "met" : "NOT met"}`,
  );
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
}

if (isMainThread) {
  await main();
} else {
  rawLoop(workerData as number);
  parentPort?.postMessage("done");
}
