import { PIGSTY_DEFAULTS } from "../../config/pigsty-defaults.js";
import {
  auditPasswords,
  type PasswordAuditOptions,
  type PasswordAuditReport,
} from "../../roles/audit/audit-passwords.js";
import { type Candidate } from "../../roles/audit/candidates/candidate.js";
import { VENDOR_DEFAULT_PASSWORDS } from "../../roles/audit/candidates/vendor-defaults.js";
import { lowIterations } from "../../roles/audit/checks/low-iterations.js";
import { md5Secret } from "../../roles/audit/checks/md5-secret.js";
import { validUntilPast } from "../../roles/audit/checks/valid-until-past.js";
import { weakPassword } from "../../roles/audit/checks/weak-password.js";
import { type StoredRole, storedSecret } from "../../roles/audit/stored-role.js";
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

/** The roles Pigsty creates with a published password, by name: the vendor default a role of that name is tried with. */
const VENDOR_DEFAULT_BY_ROLE: ReadonlyMap<string, string> = new Map([
  [PIGSTY_DEFAULTS.pg_admin_username, PIGSTY_DEFAULTS.pg_admin_password],
  [PIGSTY_DEFAULTS.pg_monitor_username, PIGSTY_DEFAULTS.pg_monitor_password],
  [PIGSTY_DEFAULTS.pg_replication_username, PIGSTY_DEFAULTS.pg_replication_password],
  ["dbuser_meta", "DBUser.Meta"],
  ["dbuser_view", "DBUser.Viewer"],
  ["postgres", "postgres"],
  ["admin", "admin"],
]);

/**
 * SCRAM guesses the live audit tries over all roles at most (~1 ms each at 4096 iterations, on 2 workers): up to
 * 10 roles get every live guess; with more, each role gets its name, the vendor default of a role of that name and
 * the most common passwords the budget leaves, never fewer than {@link LIVE_BOUNDED_GUESSES} (200 roles: 3 each).
 */
export const LIVE_GUESS_BUDGET = 600;
/** The fewest guesses a role gets however many roles the server has. */
export const LIVE_BOUNDED_GUESSES = 3;

/** How the live audit searches `roles`' passwords: every live guess for a few roles, fewer a role for many. */
export function liveAuditPlan(
  roles: readonly StoredRole[],
): Pick<PasswordAuditOptions, "sharedGuesses" | "roleNameGuesses" | "roleGuesses"> {
  const full = liveAuditGuesses();
  const withSecret = roles.filter((role) => storedSecret(role).kind !== "none").length;
  if (withSecret * (full.length + LIVE_ROLE_NAME_GUESSES) <= LIVE_GUESS_BUDGET)
    return { sharedGuesses: full, roleNameGuesses: LIVE_ROLE_NAME_GUESSES };
  const perRole = Math.max(LIVE_BOUNDED_GUESSES, Math.floor(LIVE_GUESS_BUDGET / withSecret));
  // The name itself and the role's own vendor default take two; the rest are the most common passwords, in rank.
  return {
    sharedGuesses: LIVE_COMMON_GUESSES.slice(0, Math.max(1, perRole - 2)).map((text) => ({ text, origin: "common" })),
    roleNameGuesses: 1,
    roleGuesses: (role) => {
      const vendor = VENDOR_DEFAULT_BY_ROLE.get(role.name);
      return vendor === undefined ? [] : [{ text: vendor, origin: "vendor-default" }];
    },
  };
}

/**
 * The password audit engine's verdicts on the server's stored secrets (offline: the secrets are
 * read once and guessed here, never tried against the server), with the bounded guesses of
 * {@link liveAuditPlan}. Found passwords are never kept: the findings say what kind of
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
      ...liveAuditPlan(roles),
      checks: [weakPassword, md5Secret, validUntilPast, lowIterations],
    });
  },
};
