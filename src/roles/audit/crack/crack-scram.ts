import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

import { saslprepPassword } from "../../saslprep.js";
import type { ScramVerifier } from "../../scram.js";
import type { Candidate } from "../candidates/candidate.js";
import { packCandidates } from "./pack-candidates.js";
import { type ChunkResult, ScramSearcher, type ScramSearchSpace } from "./scram-search.js";
import { CHUNK_COST_ITERATIONS, WorkQueue } from "./work-queue.js";

/** Chunks queued at each worker, so it starts the next one while its last result travels back. */
const CHUNKS_IN_FLIGHT_PER_WORKER = 2;

export interface ScramCrackTarget {
  readonly verifier: ScramVerifier;
  /** Guesses for this verifier only (its role name's variants), tried before the shared ones. */
  readonly own: readonly Candidate[];
}

export interface CrackOutcome {
  /** The guess behind the verifier, when one matched. */
  readonly found?: Candidate;
  /** Guesses tried against it. */
  readonly tested: number;
}

export interface CrackOptions {
  /** Worker threads; default one per core, and none (this thread) for a search shorter than one chunk. */
  readonly workers?: number;
  /** Called after each chunk: guesses decided so far (tried, or skipped because cracked) and in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Tries every guess against every SCRAM verifier, as SCRAM would: SASLprep, PBKDF2 with the
 * verifier's salt and iterations, then its ServerKey. Guesses that SASLprep makes equal are
 * tried once. The work runs on worker threads, one per core, in chunks of about equal cost
 * handed out as workers finish; a verifier is dropped from the search as soon as it is cracked.
 */
export async function crackScram(
  targets: readonly ScramCrackTarget[],
  shared: readonly Candidate[],
  options: CrackOptions = {},
): Promise<CrackOutcome[]> {
  const { space, candidates } = searchSpace(targets, shared);
  const searcher = new ScramSearcher(space);
  const counts = targets.map((_, index) => searcher.candidateCount(index));
  const totalCost = counts.reduce(
    (sum, count, index) => sum + count * (targets[index] as ScramCrackTarget).verifier.iterations,
    0,
  );
  const workers = options.workers ?? (totalCost <= CHUNK_COST_ITERATIONS ? 0 : availableParallelism());
  const queue = new WorkQueue(
    targets.map((target, index) => ({ candidates: counts[index] as number, iterations: target.verifier.iterations })),
    workers,
  );

  const total = counts.reduce((sum, count) => sum + count, 0);
  const tested = targets.map(() => 0);
  const found: (Candidate | undefined)[] = targets.map(() => undefined);
  let done = 0;
  const record = (result: ChunkResult) => {
    tested[result.target] = (tested[result.target] as number) + result.tested;
    done += result.to - result.from;
    if (result.found !== undefined && found[result.target] === undefined) {
      found[result.target] = candidates(result.target, result.found);
      done += queue.crack(result.target);
    }
    options.onProgress?.(done, total);
  };

  if (workers === 0) {
    for (let chunk = queue.next(); chunk; chunk = queue.next()) record(searcher.search(chunk));
  } else {
    await searchOnWorkers(space, queue, workers, record);
  }
  return targets.map((_, index) => {
    const candidate = found[index];
    return candidate ? { found: candidate, tested: tested[index] as number } : { tested: tested[index] as number };
  });
}

/** Packs the shared guesses once and each target's own ones after them, each list without SASLprep twins. */
function searchSpace(targets: readonly ScramCrackTarget[], shared: readonly Candidate[]) {
  const sharedKeys = new Set<string>();
  const packed: Candidate[] = [];
  /** The SASLprep'd text of each packed guess, in step with `packed`: the bytes PBKDF2 takes. */
  const prepared: string[] = [];
  for (const candidate of shared) {
    const key = saslprepPassword(candidate.text);
    if (sharedKeys.has(key)) continue;
    sharedKeys.add(key);
    packed.push(candidate);
    prepared.push(key);
  }
  const sharedCount = packed.length;
  const searchTargets = targets.map((target) => {
    const ownStart = packed.length;
    const ownKeys = new Set<string>();
    for (const candidate of target.own) {
      const key = saslprepPassword(candidate.text);
      if (sharedKeys.has(key) || ownKeys.has(key)) continue;
      ownKeys.add(key);
      packed.push(candidate);
      prepared.push(key);
    }
    const { iterations, salt, serverKey } = target.verifier;
    return {
      iterations,
      salt: new Uint8Array(salt),
      serverKey: new Uint8Array(serverKey),
      ownStart,
      ownLength: packed.length - ownStart,
    };
  });
  const space: ScramSearchSpace = {
    packed: packCandidates(prepared),
    sharedCount,
    targets: searchTargets,
    cracked: new SharedArrayBuffer(Math.max(1, targets.length) * Int32Array.BYTES_PER_ELEMENT),
  };
  const candidates = (target: number, index: number): Candidate => {
    const { ownStart, ownLength } = searchTargets[target] as (typeof searchTargets)[number];
    return packed[index < ownLength ? ownStart + index : index - ownLength] as Candidate;
  };
  return { space, candidates };
}

async function searchOnWorkers(
  space: ScramSearchSpace,
  queue: WorkQueue,
  count: number,
  record: (result: ChunkResult) => void,
): Promise<void> {
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL("./scram-worker.js", import.meta.url), { workerData: space }),
  );
  try {
    await Promise.all(workers.map((worker) => runLane(worker, queue, record)));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Keeps one worker fed until the queue is empty and its last result is in. */
function runLane(worker: Worker, queue: WorkQueue, record: (result: ChunkResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let inFlight = 0;
    const feed = () => {
      while (inFlight < CHUNKS_IN_FLIGHT_PER_WORKER) {
        const chunk = queue.next();
        if (!chunk) break;
        worker.postMessage(chunk);
        inFlight++;
      }
      if (inFlight === 0) resolve();
    };
    worker.on("message", (result: ChunkResult) => {
      inFlight--;
      try {
        record(result);
      } catch (error) {
        reject(error);
        return;
      }
      feed();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (inFlight > 0)
        reject(new Error(`password search worker exited (code ${code}) with ${inFlight} chunks unfinished`));
    });
    feed();
  });
}
