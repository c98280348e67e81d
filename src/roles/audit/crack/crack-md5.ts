import { md5Secret } from "../../md5.js";
import type { Candidate } from "../candidates/candidate.js";

/**
 * The guess behind a legacy md5 secret (`md5` + md5(password || role name)), if any. md5
 * costs a microsecond, so a role's guesses are tried here, on this thread, in order:
 * its own first, then the shared ones. md5 has no SASLprep: the password's own bytes count.
 */
export function crackMd5(
  secret: string,
  roleName: string,
  candidates: Iterable<Candidate>,
): { found?: Candidate; tested: number } {
  let tested = 0;
  for (const candidate of candidates) {
    tested++;
    if (md5Secret(candidate.text, roleName) === secret) return { found: candidate, tested };
  }
  return { tested };
}
