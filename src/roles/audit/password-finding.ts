import type { Severity } from "../../core/finding.js";

/** One thing wrong with one role's password: what, why it matters, and how to fix it. */
export interface PasswordFinding {
  readonly id: string;
  readonly severity: Severity;
  readonly role: string;
  /** Never contains a password. */
  readonly message: string;
  readonly why: string;
  readonly fix: string;
  /** The password that was found; present only when the audit was asked to reveal passwords. */
  readonly password?: string;
}
