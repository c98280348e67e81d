/*
 * npm run bench:password — the offline password audit's engine: 50 roles x 1,000 guesses
 * against SCRAM-SHA-256 verifiers at 4096 iterations, made in-process (no server needed),
 * none of the guesses matching except three planted, so almost every guess is tried.
 * Measures in the same run the raw PBKDF2 limit of the machine: pbkdf2Sync at 4096
 * iterations, 32 bytes, SHA-256, on as many threads, nothing else. Limit and engine
 * runs alternate (limit, engine, limit, ..., limit), each engine run is compared with the
 * mean of the limits on either side, and the verdict is on the median of three runs, so a
 * neighbour's burst of load on a shared machine does not decide it. CPU time per guess is
 * printed too: it shows the engine's own overhead whatever the load.
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { availableParallelism, cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, workerData } from "node:worker_threads";

import type { Candidate } from "../src/roles/audit/candidates/candidate.js";
import { crackScram, type ScramCrackTarget } from "../src/roles/audit/crack/crack-scram.js";
import { DEFAULT_SCRAM_ITERATIONS, parseScramVerifier, scramVerifier } from "../src/roles/scram.js";
import { runOnWorkers } from "./support/workers.js";

const ROLES = 50;
const GUESSES_PER_ROLE = 1000;
/** Roles whose password is among the guesses, and at which position: early, middle, last. */
const PLANTED = new Map([
  [7, 0],
  [23, 500],
  [41, 999],
]);
const TARGET_RATIO = 0.9;
/** Engine runs, each between two measurements of the limit; the verdict is on the median. */
const ENGINE_RUNS = 3;
/** PBKDF2s per measurement of the limit: several seconds, like the engine's runs, on the threads given. */
const LIMIT_PBKDF2S = 12_000;

function rawLoop(count: number): void {
  const salt = randomBytes(16);
  for (let i = 0; i < count; i++) pbkdf2Sync(`raw-limit-${i}`, salt, DEFAULT_SCRAM_ITERATIONS, 32, "sha256");
}

interface Measure {
  /** Per second of wall time. */
  readonly rate: number;
  /** Microseconds of CPU (every thread of this process) per PBKDF2 or guess. */
  readonly cpuMicros: number;
}

/** PBKDF2s per second on `threads` worker threads doing nothing else, `perThread` each. */
async function rawLimit(threads: number, perThread: number): Promise<Measure> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await runOnWorkers(fileURLToPath(import.meta.url), threads, perThread);
  const used = process.cpuUsage(cpu);
  return {
    rate: (perThread * threads) / ((performance.now() - started) / 1000),
    cpuMicros: (used.user + used.system) / (perThread * threads),
  };
}

function benchTargets(guesses: readonly Candidate[]): ScramCrackTarget[] {
  return Array.from({ length: ROLES }, (_, role) => {
    const position = PLANTED.get(role);
    const password =
      position === undefined
        ? `not-guessable-${randomBytes(12).toString("base64url")}`
        : (guesses[position] as Candidate).text;
    const verifier = parseScramVerifier(scramVerifier(password, { iterations: DEFAULT_SCRAM_ITERATIONS }));
    if (!verifier) throw new Error("bench: verifier did not parse");
    return { verifier, own: [] };
  });
}

async function engineRun(
  threads: number,
  targets: readonly ScramCrackTarget[],
  guesses: readonly Candidate[],
): Promise<Measure & { tested: number; seconds: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outcomes = await crackScram(targets, guesses, { workers: threads });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  outcomes.forEach((outcome, role) => {
    const position = PLANTED.get(role);
    const expected = position === undefined ? undefined : (guesses[position] as Candidate).text;
    if (outcome.found?.text !== expected)
      throw new Error(
        `bench: role ${role} found ${outcome.found ? "a guess" : "nothing"}, expected ${expected === undefined ? "nothing" : `guess ${position}`}`,
      );
  });
  const tested = outcomes.reduce((sum, outcome) => sum + outcome.tested, 0);
  return { rate: tested / seconds, cpuMicros: (used.user + used.system) / tested, tested, seconds };
}

async function main(): Promise<void> {
  const threads = availableParallelism();
  const guesses: Candidate[] = Array.from({ length: GUESSES_PER_ROLE }, (_, i) => ({
    text: `guess-${i}-${randomBytes(6).toString("hex")}`,
    origin: "wordlist",
  }));
  const targets = benchTargets(guesses);
  const perThread = Math.ceil(LIMIT_PBKDF2S / threads);
  const limits = [await rawLimit(threads, perThread)];
  const runs: (Measure & { tested: number; seconds: number; limit: Measure })[] = [];
  for (let run = 0; run < ENGINE_RUNS; run++) {
    const result = await engineRun(threads, targets, guesses);
    limits.push(await rawLimit(threads, perThread));
    const [before, after] = [limits[run] as Measure, limits[run + 1] as Measure];
    runs.push({
      ...result,
      limit: { rate: (before.rate + after.rate) / 2, cpuMicros: (before.cpuMicros + after.cpuMicros) / 2 },
    });
  }
  const ratios = runs.map((run) => run.rate / run.limit.rate);
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)] as number;
  const cpuRatio =
    runs.reduce((sum, run) => sum + run.limit.cpuMicros, 0) / runs.reduce((sum, run) => sum + run.cpuMicros, 0);
  console.log(
    `machine: ${cpus()[0]?.model ?? "unknown"}, ${threads} threads, node ${process.version}, load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `raw PBKDF2 limit (pbkdf2Sync, ${DEFAULT_SCRAM_ITERATIONS} iterations, 32 bytes, sha256, ${threads} threads, ${perThread * threads} per measurement): ` +
      limits.map((limit) => `${limit.rate.toFixed(0)}/s (${limit.cpuMicros.toFixed(0)} us CPU each)`).join(", "),
  );
  runs.forEach((run, index) => {
    console.log(
      `audit engine run ${index + 1}, ${ROLES} roles x ${GUESSES_PER_ROLE} guesses (${PLANTED.size} planted, all found; ${run.tested} tried): ` +
        `${run.rate.toFixed(0)} guesses/s in ${run.seconds.toFixed(2)} s (${run.cpuMicros.toFixed(0)} us CPU each), ${((ratios[index] as number) * 100).toFixed(1)}% of the limit around it (${run.limit.rate.toFixed(0)}/s)`,
    );
  });
  console.log(
    `CPU time per guess against per raw PBKDF2, all runs: the engine is ${(cpuRatio * 100).toFixed(1)}% as lean`,
  );
  console.log(
    `target >= ${TARGET_RATIO * 100}% of the raw limit: ${median >= TARGET_RATIO ? "met" : "NOT met"} (median of ${ENGINE_RUNS} runs ${(median * 100).toFixed(1)}%, range ${(Math.min(...ratios) * 100).toFixed(1)}-${(Math.max(...ratios) * 100).toFixed(1)}%)`,
  );
}

if (isMainThread) {
  await main();
} else {
  rawLoop(workerData as number);
  parentPort?.postMessage("done");
}
