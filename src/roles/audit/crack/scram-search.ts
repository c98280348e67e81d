import { createHmac, pbkdf2Sync } from "node:crypto";

import { type PackedCandidates, PackedCandidatesReader } from "./packed-candidates.js";
import type { Chunk } from "./work-queue.js";

const SCRAM_KEY_BYTES = 32;
const SERVER_KEY_LABEL = Buffer.from("Server Key");

/** One SCRAM verifier to search, and where its own guesses (role-name variants) sit among the packed ones. */
export interface ScramSearchTarget {
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly serverKey: Uint8Array;
  readonly ownStart: number;
  readonly ownLength: number;
}

/**
 * Everything a worker needs, sent once. A target's guesses are numbered own ones first,
 * then the shared ones (packed at 0 .. sharedCount - 1).
 */
export interface ScramSearchSpace {
  readonly packed: PackedCandidates;
  readonly sharedCount: number;
  readonly targets: readonly ScramSearchTarget[];
  /** Int32 per target, set to 1 by whichever thread cracks it, so the others stop at once. */
  readonly cracked: SharedArrayBuffer;
}

export interface ChunkResult extends Chunk {
  /** Guesses actually tried (fewer than to - from when the target was cracked meanwhile). */
  readonly tested: number;
  /** The guess, numbered in the target's space, whose ServerKey matched. */
  readonly found?: number;
}

interface PreparedTarget {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly serverKey: Buffer;
  readonly ownStart: number;
  readonly ownLength: number;
}

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Tries guesses against SCRAM verifiers: one PBKDF2 (OpenSSL's, through pbkdf2Sync) and
 * one HMAC per guess, because the ServerKey alone decides a match; no StoredKey, no SHA-256.
 */
export class ScramSearcher {
  readonly #reader: PackedCandidatesReader;
  readonly #sharedCount: number;
  readonly #targets: readonly PreparedTarget[];
  readonly #cracked: Int32Array;

  constructor(space: ScramSearchSpace) {
    this.#reader = new PackedCandidatesReader(space.packed);
    this.#sharedCount = space.sharedCount;
    this.#targets = space.targets.map((target) => ({
      ...target,
      salt: asBuffer(target.salt),
      serverKey: asBuffer(target.serverKey),
    }));
    this.#cracked = new Int32Array(space.cracked);
  }

  /** Guesses a target is tried with: its own ones, then the shared ones. */
  candidateCount(target: number): number {
    return (this.#targets[target] as PreparedTarget).ownLength + this.#sharedCount;
  }

  search(chunk: Chunk): ChunkResult {
    const target = this.#targets[chunk.target] as PreparedTarget;
    for (let index = chunk.from; index < chunk.to; index++) {
      if (Atomics.load(this.#cracked, chunk.target) !== 0) return { ...chunk, tested: index - chunk.from };
      const packedIndex = index < target.ownLength ? target.ownStart + index : index - target.ownLength;
      const salted = pbkdf2Sync(
        this.#reader.bytes(packedIndex),
        target.salt,
        target.iterations,
        SCRAM_KEY_BYTES,
        "sha256",
      );
      if (createHmac("sha256", salted).update(SERVER_KEY_LABEL).digest().equals(target.serverKey)) {
        Atomics.store(this.#cracked, chunk.target, 1);
        return { ...chunk, tested: index - chunk.from + 1, found: index };
      }
    }
    return { ...chunk, tested: chunk.to - chunk.from };
  }
}
