/*
 * npm run bench:hba-lines — peak memory of `pgwarden hba lint FILE` (the real CLI in a child
 * process, measured by /usr/bin/time -v) on generated files of one and two million lines, to
 * show memory grows in proportion to the file: the ratio 2M/1M should be about 2, not more.
 * Each file is bench/hba-file.ts's large-fleet mix, one rule per line.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { generateHbaFile } from "./hba-file.js";

const SIZES = [1_000_000, 2_000_000];

function peakRss(file: string): { kib: number; seconds: number; code: number | null } {
  const bin = fileURLToPath(new URL("../../bin/pgwarden.js", import.meta.url));
  const started = performance.now();
  // stdout to /dev/null: the report is written piece by piece and not kept.
  const child = spawnSync("/usr/bin/time", ["-v", process.execPath, bin, "hba", "lint", file, "--format", "json"], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
  });
  const seconds = (performance.now() - started) / 1000;
  const kib = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no peak RSS from /usr/bin/time: ${child.stderr.slice(0, 500)}`);
  // 1: findings at or above high, as the generated file has.
  const exit = Number(/Exit status: (\d+)/.exec(child.stderr)?.[1] ?? 0);
  if (exit !== 0 && exit !== 1) throw new Error(`pgwarden hba lint exited ${exit}: ${child.stderr.slice(0, 500)}`);
  return { kib, seconds, code: exit };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-bench-hba-lines-"));
  try {
    const results: { lines: number; kib: number; seconds: number; bytes: number }[] = [];
    for (const lines of SIZES) {
      const file = join(dir, `pg_hba-${lines}.conf`);
      const { text } = generateHbaFile(lines);
      await writeFile(file, text);
      const measured = peakRss(file);
      results.push({ lines, kib: measured.kib, seconds: measured.seconds, bytes: text.length });
      console.log(
        `${lines.toLocaleString("en")} lines (${(text.length / 2 ** 20).toFixed(0)} MiB): peak RSS ${(measured.kib / 1024).toFixed(0)} MiB, ${measured.seconds.toFixed(1)} s`,
      );
    }
    const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
    console.log(
      `machine: ${availableParallelism()} cores, node ${process.version}; RSS ratio 2M/1M: ${(large.kib / small.kib).toFixed(2)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
