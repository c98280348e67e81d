import { auditPasswords, type PasswordAuditReport } from "../../roles/audit/audit-passwords.js";
import { type Candidate } from "../../roles/audit/candidates/candidate.js";
import { VENDOR_DEFAULT_PASSWORDS } from "../../roles/audit/candidates/vendor-defaults.js";
import { lowIterations } from "../../roles/audit/checks/low-iterations.js";
import { md5Secret } from "../../roles/audit/checks/md5-secret.js";
import { validUntilPast } from "../../roles/audit/checks/valid-until-past.js";
import { weakPassword } from "../../roles/audit/checks/weak-password.js";
import { type Fact } from "../fact.js";
import { storedRolesFact } from "./stored-roles.js";

/**
 * The common passwords the live audit tries: a dozen of the most used ones (number runs, `password` and its
 * substitutions, keyboard walks, administrators' words), all on the built-in list `password audit` tries.
 */
export const LIVE_COMMON_GUESSES: readonly string[] = [
  "123456",
  "12345678",
  "123456789",
  "password",
  "Password1",
  "P@ssw0rd",
  "qwerty",
  "admin123",
  "changeme",
  "secret",
  "letmein",
  "welcome",
];
/** The role-name variants the live audit tries per role: the name in its cases, its last word, then name1 to name1234. */
export const LIVE_ROLE_NAME_GUESSES = 10;

/**
 * The guesses of the live audit, tried against every role besides its name's variants: every
 * vendor default (Pigsty's published passwords first) and a dozen common passwords: about 50
 * guesses a role with its name's first variants, each a PBKDF2 of 4096 rounds (~1 ms), so ten
 * roles cost about half a second of one core and the audit of a cluster stays under 2 s.
 * `pgwarden password audit` is the deep search (~500 guesses a role, and a wordlist).
 */
export function liveAuditGuesses(): Candidate[] {
  const seen = new Set<string>();
  const guesses: Candidate[] = [];
  const add = (texts: readonly string[], origin: Candidate["origin"]) => {
    for (const text of texts)
      if (text.length > 0 && !seen.has(text)) {
        seen.add(text);
        guesses.push({ text, origin });
      }
  };
  add(VENDOR_DEFAULT_PASSWORDS, "vendor-default");
  add(LIVE_COMMON_GUESSES, "common");
  return guesses;
}

/**
 * The password audit engine's verdicts on the server's stored secrets (offline: the secrets are
 * read once and guessed here, never tried against the server), with the bounded guesses of
 * {@link liveAuditGuesses}. Found passwords are never kept: the findings say what kind of
 * guess matched, not the guess.
 */
export const passwordAuditFact: Fact<PasswordAuditReport> = {
  id: "password-audit",
  scope: "server",
  async collect(source) {
    const roles = await source.get(storedRolesFact);
    return auditPasswords(roles, {
      now: source.now,
      revealPasswords: false,
      sharedGuesses: liveAuditGuesses(),
      roleNameGuesses: LIVE_ROLE_NAME_GUESSES,
      checks: [weakPassword, md5Secret, validUntilPast, lowIterations],
    });
  },
};
