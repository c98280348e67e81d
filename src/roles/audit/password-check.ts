import type { Severity } from "../../core/finding.js";
import type { Candidate } from "./candidates/candidate.js";
import type { StoredRole, StoredSecret } from "./stored-role.js";

/** A role as the checks see it: its pg_authid row, its secret parsed, and the guess that matched it. */
export interface AuditedRole {
  readonly role: StoredRole;
  readonly secret: StoredSecret;
  readonly cracked?: Candidate;
}

export interface CheckContext {
  readonly now: Date;
  /** Put a found password into its finding (`--show`); off by default. */
  readonly revealPasswords: boolean;
}

export interface CheckHit {
  readonly message: string;
  /** A fix for this role in particular (naming it); the check's own `fix` otherwise. */
  readonly fix?: string;
  readonly password?: string;
}

/** A check on one role at a time, in the shape of the HBA lint rules. */
export interface PasswordCheck {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly why: string;
  /** How to fix any role this check finds, said once for all of them; a finding may carry a more specific one. */
  readonly fix: string;
  /** Undefined when the role is fine. */
  check(role: AuditedRole, context: CheckContext): CheckHit | undefined;
}
