/** The cost of one chunk of guesses, in PBKDF2 iterations: 64 guesses at 4096 iterations, ~60 ms on one core. */
export const CHUNK_COST_ITERATIONS = 64 * 4096;
/** Once less than this many chunks per worker remain, chunks shrink so every worker finishes at about the same time. */
const TAIL_CHUNKS_PER_WORKER = 4;

/** One verifier's share of the search. */
export interface QueueTarget {
  /** Guesses to try against it. */
  readonly candidates: number;
  readonly iterations: number;
}

/** Guesses [from, to) of one target. */
export interface Chunk {
  readonly target: number;
  readonly from: number;
  readonly to: number;
}

/**
 * Hands out the search in chunks of about equal cost: round robin over the targets (each
 * target's most likely guesses come first, so weak passwords fall early), smaller chunks
 * towards the end so no core idles while another finishes a big one, and nothing more
 * for a target once it is cracked.
 */
export class WorkQueue {
  readonly #targets: readonly QueueTarget[];
  readonly #workers: number;
  readonly #cursor: number[];
  readonly #cracked: boolean[];
  #turn = 0;
  /** Iterations not yet handed out, over targets not cracked. */
  #remainingCost: number;

  constructor(targets: readonly QueueTarget[], workers: number) {
    this.#targets = targets;
    this.#workers = Math.max(1, workers);
    this.#cursor = targets.map(() => 0);
    this.#cracked = targets.map(() => false);
    this.#remainingCost = targets.reduce((sum, target) => sum + target.candidates * target.iterations, 0);
  }

  /** The next chunk, or undefined when everything has been handed out. */
  next(): Chunk | undefined {
    for (let step = 0; step < this.#targets.length; step++) {
      const index = (this.#turn + step) % this.#targets.length;
      const target = this.#targets[index] as QueueTarget;
      const from = this.#cursor[index] as number;
      if (this.#cracked[index] || from >= target.candidates) continue;
      const tail = Math.ceil(this.#remainingCost / (this.#workers * TAIL_CHUNKS_PER_WORKER) / target.iterations);
      const size = Math.max(1, Math.min(Math.floor(CHUNK_COST_ITERATIONS / target.iterations), tail));
      const to = Math.min(target.candidates, from + size);
      this.#cursor[index] = to;
      this.#remainingCost -= (to - from) * target.iterations;
      this.#turn = (index + 1) % this.#targets.length;
      return { target: index, from, to };
    }
    return undefined;
  }

  /** Stops handing out guesses for `target`; returns how many it will now never hand out. */
  crack(target: number): number {
    if (this.#cracked[target]) return 0;
    this.#cracked[target] = true;
    const queueTarget = this.#targets[target] as QueueTarget;
    const skipped = queueTarget.candidates - (this.#cursor[target] as number);
    this.#remainingCost -= skipped * queueTarget.iterations;
    this.#cursor[target] = queueTarget.candidates;
    return skipped;
  }
}
