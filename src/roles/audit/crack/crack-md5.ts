import { createHash } from "node:crypto";
import type { Candidate } from "../candidates/candidate.js";

/**
 * The guess behind a legacy md5 secret (`md5` + md5(password || role name)), if any. md5
 * costs a microsecond, so a role's guesses are tried here, on this thread, in order:
 * its own first, then the shared ones. md5 has no SASLprep: the password's own bytes count.
 */
export function crackMd5(secret: string, roleName: string, candidates: Iterable<Candidate>): { found?: Candidate; tested: number } {
  const wanted = Buffer.from(secret.slice("md5".length), "hex");
  const salt = Buffer.from(roleName, "utf8");
  let tested = 0;
  for (const candidate of candidates) {
    tested++;
    if (createHash("md5").update(candidate.text, "utf8").update(salt).digest().equals(wanted)) return { found: candidate, tested };
  }
  return { tested };
}
