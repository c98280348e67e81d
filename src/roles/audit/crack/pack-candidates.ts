import type { PackedCandidates } from "./packed-candidates.js";

/** Packs guesses, already SASLprep'd, into shared memory as the bytes PBKDF2 takes: UTF-8. */
export function packCandidates(prepared: readonly string[]): PackedCandidates {
  const encoded = prepared.map((text) => Buffer.from(text, "utf8"));
  const total = encoded.reduce((sum, bytes) => sum + bytes.length, 0);
  const bytes = new SharedArrayBuffer(total);
  const offsets = new SharedArrayBuffer((prepared.length + 1) * Int32Array.BYTES_PER_ELEMENT);
  const target = Buffer.from(bytes);
  const offsetView = new Int32Array(offsets);
  let at = 0;
  encoded.forEach((guess, index) => {
    offsetView[index] = at;
    guess.copy(target, at);
    at += guess.length;
  });
  offsetView[prepared.length] = at;
  return { bytes, offsets, count: prepared.length };
}
