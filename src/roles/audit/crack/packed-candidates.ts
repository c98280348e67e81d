/**
 * Guesses as the bytes PBKDF2 takes (SASLprep'd UTF-8), packed into shared memory once so
 * every worker thread reads them in place: no copy per worker, no conversion per guess.
 * Made by pack-candidates.ts, which workers need not load (nor SASLprep with it).
 */
export interface PackedCandidates {
  /** The guesses' bytes, back to back. */
  readonly bytes: SharedArrayBuffer;
  /** Int32 offsets into `bytes`: guess i is bytes[offsets[i], offsets[i + 1]). */
  readonly offsets: SharedArrayBuffer;
  readonly count: number;
}

/** Reads guesses out of {@link PackedCandidates} without copying them. */
export class PackedCandidatesReader {
  readonly #bytes: SharedArrayBuffer;
  readonly #offsets: Int32Array;

  constructor(packed: PackedCandidates) {
    this.#bytes = packed.bytes;
    this.#offsets = new Int32Array(packed.offsets);
  }

  /** Guess `index`'s bytes: a view into shared memory, valid as long as the reader. */
  bytes(index: number): Buffer {
    const start = this.#offsets[index] as number;
    return Buffer.from(this.#bytes, start, (this.#offsets[index + 1] as number) - start);
  }
}
