/** pg_role values an instance may have. */
export const PG_ROLES = ["primary", "replica", "offline", "standby", "delayed"] as const;
export type PgRole = (typeof PG_ROLES)[number];

/**
 * The `role` a rule may name (roles/pgsql/templates/pg_hba.conf): `default` and `common`
 * apply everywhere, the others only on an instance whose pg_role is the same; `offline`
 * also applies where pg_offline_query is true. A rule without a role is `default`.
 */
export const HBA_RULE_ROLES = ["default", "common", "primary", "replica", "offline", "standby", "delayed"] as const;
export type HbaRuleRole = (typeof HBA_RULE_ROLES)[number];

/** The instance facts role gating reads. */
export interface InstanceRole {
  /** Undefined when rendering for a cluster rather than one instance: only rules for every role apply. */
  readonly pgRole?: PgRole;
  readonly offlineQuery: boolean;
}

export function isHbaRuleRole(role: string): role is HbaRuleRole {
  return (HBA_RULE_ROLES as readonly string[]).includes(role);
}

/** A rule's role as Pigsty reads it: missing or empty means `default`. */
export function ruleRole(role: string | undefined): string {
  return role === undefined || role === "" ? "default" : role;
}

/** Does a rule of this role apply on this instance? Inactive rules are written commented out. */
export function isRuleActive(role: HbaRuleRole, instance: InstanceRole): boolean {
  if (role === "default" || role === "common") return true;
  if (role === instance.pgRole) return true;
  return role === "offline" && instance.offlineQuery;
}
