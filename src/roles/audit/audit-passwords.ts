import { severityRank } from "../../core/finding.js";
import type { Candidate } from "./candidates/candidate.js";
import { roleNameVariants } from "./candidates/role-name-variants.js";
import { sharedCandidates } from "./candidates/shared-candidates.js";
import { PASSWORD_CHECKS } from "./checks/index.js";
import { crackMd5 } from "./crack/crack-md5.js";
import { crackScram } from "./crack/crack-scram.js";
import type { AuditedRole, CheckContext, PasswordCheck } from "./password-check.js";
import type { PasswordFinding } from "./password-finding.js";
import { MINUS_INFINITY_MS, type StoredRole, type StoredSecret, storedSecret } from "./stored-role.js";

export interface PasswordAuditOptions {
  /** VALID UNTIL is judged against this time, and role-name guesses use its year. */
  readonly now: Date;
  /** Extra guesses (`--wordlist`), tried after the built-in ones. */
  readonly wordlist?: readonly string[];
  /** Put found passwords into the findings (`--show`). Default false: the report never holds them. */
  readonly revealPasswords?: boolean;
  /** Worker threads for SCRAM; default one per core. */
  readonly workers?: number;
  /** Progress of the SCRAM search: guesses decided and in all. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly checks?: readonly PasswordCheck[];
  /** The guesses tried against every role instead of the built-in ones and the wordlist (a bounded set for a quick audit). */
  readonly sharedGuesses?: readonly Candidate[];
  /** Try at most this many of a role's name variants, most likely first (default: all of them). */
  readonly roleNameGuesses?: number;
  /** Guesses for one role only, tried after its name's variants and before the shared ones (e.g. its vendor default). */
  readonly roleGuesses?: (role: StoredRole) => readonly Candidate[];
}

/** What the report says about each role: its attributes and kind of secret, never the secret. */
export interface RoleSummary {
  readonly name: string;
  readonly login: boolean;
  readonly superuser: boolean;
  readonly secret: StoredSecret["kind"];
  /** SCRAM iterations, for a SCRAM secret. */
  readonly iterations?: number;
  /** VALID UNTIL as ISO 8601, or null when the password never expires. */
  readonly validUntil: string | null;
}

export interface PasswordAuditReport {
  readonly roles: readonly RoleSummary[];
  readonly rolesAudited: number;
  /** Roles with a SCRAM or md5 secret, each tried against every guess. */
  readonly secretsTested: number;
  /** Guesses every role is tried with (vendor defaults, common passwords, wordlist), besides its name's variants. */
  readonly sharedGuesses: number;
  /** Guesses actually tried, over all roles (a cracked role stops early). */
  readonly guessesTried: number;
  /** Grouped by role, the role with the worst finding first; worst first within a role. */
  readonly findings: readonly PasswordFinding[];
}

/**
 * The offline password audit of a server's roles: each stored secret tried against its
 * role's name variants, vendor defaults, common passwords and the wordlist, then every
 * check run on every role. Found passwords stay out of the report unless asked for.
 */
export async function auditPasswords(
  roles: readonly StoredRole[],
  options: PasswordAuditOptions,
): Promise<PasswordAuditReport> {
  const shared = options.sharedGuesses ?? sharedCandidates(options.wordlist);
  const year = options.now.getUTCFullYear();
  const own = (role: StoredRole): Candidate[] => [
    ...roleNameVariants(role.name, year)
      .slice(0, options.roleNameGuesses)
      .map((text): Candidate => ({ text, origin: "role-name" })),
    ...(options.roleGuesses?.(role) ?? []),
  ];
  const audited: Mutable<AuditedRole>[] = roles.map((role) => ({ role, secret: storedSecret(role) }));
  let guessesTried = 0;

  for (const entry of audited) {
    if (entry.secret.kind !== "md5") continue;
    const outcome = crackMd5(entry.secret.secret, entry.role.name, inOrder(own(entry.role), shared));
    guessesTried += outcome.tested;
    if (outcome.found) entry.cracked = outcome.found;
  }

  const scram = audited.flatMap((entry) =>
    entry.secret.kind === "scram" ? [{ entry, verifier: entry.secret.verifier }] : [],
  );
  const outcomes = await crackScram(
    scram.map(({ entry, verifier }) => ({ verifier, own: own(entry.role) })),
    shared,
    { workers: options.workers, onProgress: options.onProgress },
  );
  outcomes.forEach((outcome, index) => {
    guessesTried += outcome.tested;
    if (outcome.found) (scram[index] as (typeof scram)[number]).entry.cracked = outcome.found;
  });

  const context: CheckContext = { now: options.now, revealPasswords: options.revealPasswords ?? false };
  const checks = options.checks ?? PASSWORD_CHECKS;
  const findings = audited.flatMap((entry) =>
    checks.flatMap((check): PasswordFinding[] => {
      const hit = check.check(entry, context);
      if (!hit) return [];
      const fix = hit.fix ?? check.fix;
      return [
        {
          id: check.id,
          severity: check.severity,
          role: entry.role.name,
          message: hit.message,
          why: check.why,
          fix,
          ...(hit.password === undefined ? {} : { password: hit.password }),
        },
      ];
    }),
  );
  return {
    roles: audited.map(summary),
    rolesAudited: roles.length,
    secretsTested: audited.filter((entry) => entry.secret.kind === "md5").length + scram.length,
    sharedGuesses: shared.length,
    guessesTried,
    findings: sortFindings(findings, checks),
  };
}

/** The lists one after the other, without copying a long wordlist for every role. */
function* inOrder<T>(...lists: readonly (readonly T[])[]): Generator<T> {
  for (const list of lists) yield* list;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function summary({ role, secret }: AuditedRole): RoleSummary {
  return {
    name: role.name,
    login: role.canLogin,
    superuser: role.superuser,
    secret: secret.kind,
    ...(secret.kind === "scram" ? { iterations: secret.verifier.iterations } : {}),
    validUntil:
      role.validUntil === null
        ? null
        : role.validUntil.getTime() === MINUS_INFINITY_MS
          ? "-infinity"
          : role.validUntil.toISOString(),
  };
}

function sortFindings(findings: readonly PasswordFinding[], checks: readonly PasswordCheck[]): PasswordFinding[] {
  const worst = new Map<string, number>();
  for (const finding of findings)
    worst.set(finding.role, Math.max(worst.get(finding.role) ?? -1, severityRank(finding.severity)));
  const checkOrder = new Map(checks.map((check, index) => [check.id, index]));
  return [...findings].sort(
    (a, b) =>
      (worst.get(b.role) ?? 0) - (worst.get(a.role) ?? 0) ||
      (a.role < b.role ? -1 : a.role > b.role ? 1 : 0) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      (checkOrder.get(a.id) ?? 0) - (checkOrder.get(b.id) ?? 0),
  );
}
