import type { Finding, Severity } from "../../core/finding.js";
import type { HbaRule } from "../model.js";

/** What a lint rule may know beyond the HBA rules themselves. */
export interface LintContext {
  /** Roles that are superusers (from the server with --conn; else the usual names). */
  readonly superusers: readonly string[];
  /**
   * For `+group` users: each superuser's roles, the ones it is a member of directly or through
   * other roles, when known (from an inventory). A group no superuser is known to be in holds none.
   */
  readonly superuserMemberOf?: Readonly<Record<string, readonly string[]>>;
  /** `ssl` of the server, when known. */
  readonly ssl?: boolean;
  /** Map names defined in pg_ident.conf, when known. */
  readonly identMaps?: readonly string[];
}

/** Where a rule stands in its file, for a check that must know what PostgreSQL tries before it. */
export interface RulePosition {
  readonly rules: readonly HbaRule[];
  readonly index: number;
}

/** A check on one rule at a time. */
export interface RuleCheck {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly why: string;
  /** Undefined when the rule is fine; else the message and the fix for this rule. */
  check(
    rule: HbaRule,
    context: LintContext,
    position?: RulePosition,
  ): { message: string; fix: string; severity?: Severity } | undefined;
}

/** A check that needs the whole file (order, duplicates). */
export interface FileCheck {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly why: string;
  checkAll(rules: readonly HbaRule[], context: LintContext): Finding[];
}

export type LintCheck = RuleCheck | FileCheck;

export function isFileCheck(check: LintCheck): check is FileCheck {
  return "checkAll" in check;
}
