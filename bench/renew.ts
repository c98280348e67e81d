/*
 * npm run bench:renew — renews 2,000 client certificates with new P-256 keys through
 * `pgwarden cert renew --all --rekey` (the real CLI, in a child process, start-up included),
 * each run in a fresh PKI whose certificates were issued first, and in the same run, for context:
 * the issue itself (`cert issue --cn-file`, new files), the same issue again with --force (the
 * batch replacing 2,000 existing pairs, which is what a renewal does to the disk) and a same-key
 * renewal (`cert renew --all`).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CERTIFICATES = 2000;
const RUNS = 3;
const bin = fileURLToPath(new URL("../../bin/pgwarden.js", import.meta.url));
/** Removed at the end only: ext4 creates files slowly among inodes freed minutes ago (see RESULTS.md). */
const scratch: string[] = [];

function timed(args: readonly string[]): number {
  const started = performance.now();
  execFileSync(process.execPath, [bin, ...args], { stdio: ["ignore", "ignore", "inherit"] });
  return (performance.now() - started) / 1000;
}

/** A fresh PKI with CERTIFICATES client certificates; returns the PKI and the seconds the issue took. */
async function issuedPki(): Promise<{ pki: string; issueSeconds: number; names: string }> {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-bench-renew-"));
  scratch.push(dir);
  const pki = join(dir, "pki");
  execFileSync(process.execPath, [bin, "ca", "init", "--pki", pki, "--quiet", "--no-passphrase"]);
  const names = join(dir, "users.txt");
  await writeFile(names, Array.from({ length: CERTIFICATES }, (_, i) => `bench_user_${i}`).join("\n"));
  const issueSeconds = timed(["cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", names, "--quiet"]);
  return { pki, issueSeconds, names };
}

/** Renewal records written: one per certificate renewed. */
async function renewalRecords(pki: string): Promise<number> {
  let count = 0;
  for (const name of await readdir(join(pki, "db", "certs")))
    for (const line of (await readFile(join(pki, "db", "certs", name), "utf8")).split("\n"))
      if (line.includes('"renews"')) count++;
  return count;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function main(): Promise<void> {
  const rekey: number[] = [];
  const sameKey: number[] = [];
  const issue: number[] = [];
  const issueForce: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const { pki, issueSeconds, names } = await issuedPki();
    issue.push(CERTIFICATES / issueSeconds);
    issueForce.push(
      CERTIFICATES /
        timed(["cert", "issue", "--pki", pki, "--profile", "client", "--cn-file", names, "--quiet", "--force"]),
    );
    rekey.push(CERTIFICATES / timed(["cert", "renew", "--pki", pki, "--all", "--rekey", "--quiet"]));
    sameKey.push(CERTIFICATES / timed(["cert", "renew", "--pki", pki, "--all", "--quiet"]));
    const renewed = await renewalRecords(pki);
    if (renewed !== 2 * CERTIFICATES) throw new Error(`expected ${2 * CERTIFICATES} renewal records, found ${renewed}`);
  }
  const rate = (values: number[]) => values.map((value) => `${value.toFixed(0)}/s`).join(", ");
  console.log(`machine: ${cpus()[0]?.model ?? "unknown"}, ${availableParallelism()} threads, node ${process.version}`);
  console.log(
    `pgwarden cert renew --all --rekey, ${CERTIFICATES} ec-p256 client certificates (${RUNS} runs): ${rate(rekey)}`,
  );
  console.log(`median ${median(rekey).toFixed(0)} certificates/s, start-up included`);
  console.log(
    `for context: cert renew --all (same key) ${rate(sameKey)}, median ${median(sameKey).toFixed(0)}/s; cert issue --cn-file ${rate(issue)}, median ${median(issue).toFixed(0)}/s`,
  );
  console.log(
    `the same issue with --force, replacing the 2,000 pairs as a renewal does: ${rate(issueForce)}, median ${median(issueForce).toFixed(0)}/s`,
  );
  console.log(`target 1000 certificates/s with --rekey: ${median(rekey) >= 1000 ? "met" : "NOT met"}`);
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
}

await main();
