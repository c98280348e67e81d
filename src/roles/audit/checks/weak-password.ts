import { ORIGIN_DESCRIPTION } from "../candidates/candidate.js";
import type { PasswordCheck } from "../password-check.js";

export const weakPassword: PasswordCheck = {
  id: "weak-password",
  severity: "critical",
  title: "guessable password",
  why: "a password on a list of likely guesses (the role's name, vendor defaults, common and leaked passwords) falls to online guessing quickly, and offline to anyone who reads pg_authid, a backup or a dump of it",
  fix: "set a strong password: pgwarden password generate, then pgwarden password hash --user ROLE and ALTER ROLE ... PASSWORD '<verifier>' (or declare it in pg_users and run pgwarden role apply)",
  check: ({ role, cracked }, context) => {
    if (!cracked) return undefined;
    return {
      message: `the password is ${ORIGIN_DESCRIPTION[cracked.origin]}`,
      fix: `set a strong password: pgwarden password generate, then pgwarden password hash --user ${role.name} and ALTER ROLE ... PASSWORD '<verifier>' (or declare it in pg_users and run pgwarden role apply)`,
      ...(context.revealPasswords ? { password: cracked.text } : {}),
    };
  },
};
