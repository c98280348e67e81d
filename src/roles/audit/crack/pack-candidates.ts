import { saslprepPassword } from "../../saslprep.js";
import type { PackedCandidates } from "./packed-candidates.js";

/** Packs guesses into shared memory as the bytes PBKDF2 takes: SASLprep'd, UTF-8. */
export function packCandidates(texts: readonly string[]): PackedCandidates {
  const encoded = texts.map((text) => Buffer.from(saslprepPassword(text), "utf8"));
  const total = encoded.reduce((sum, bytes) => sum + bytes.length, 0);
  const bytes = new SharedArrayBuffer(total);
  const offsets = new SharedArrayBuffer((texts.length + 1) * Int32Array.BYTES_PER_ELEMENT);
  const target = Buffer.from(bytes);
  const offsetView = new Int32Array(offsets);
  let at = 0;
  encoded.forEach((guess, index) => {
    offsetView[index] = at;
    guess.copy(target, at);
    at += guess.length;
  });
  offsetView[texts.length] = at;
  return { bytes, offsets, count: texts.length };
}
