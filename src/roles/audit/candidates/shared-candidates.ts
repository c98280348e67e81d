import type { Candidate, CandidateOrigin } from "./candidate.js";
import { COMMON_PASSWORDS } from "./common-passwords.js";
import { VENDOR_DEFAULT_PASSWORDS } from "./vendor-defaults.js";

/**
 * The guesses tried against every role, most likely first: vendor defaults, the built-in
 * common passwords, then the wordlist. A guess listed twice keeps its first origin.
 */
export function sharedCandidates(wordlist: readonly string[] = []): Candidate[] {
  const seen = new Set<string>();
  const result: Candidate[] = [];
  const add = (texts: readonly string[], origin: CandidateOrigin) => {
    for (const text of texts) {
      if (text.length === 0 || seen.has(text)) continue;
      seen.add(text);
      result.push({ text, origin });
    }
  };
  add(VENDOR_DEFAULT_PASSWORDS, "vendor-default");
  add(COMMON_PASSWORDS, "common");
  add(wordlist, "wordlist");
  return result;
}
