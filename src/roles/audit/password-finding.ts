import type { FindingBase } from "../../core/finding.js";

/** One thing wrong with one role's password: the shared finding (core/finding.ts) about a role on the server. */
export interface PasswordFinding extends FindingBase {
  readonly role: string;
  /** The password that was found; present only when the audit was asked to reveal passwords. */
  readonly password?: string;
}
