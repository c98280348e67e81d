import { isKeyword } from "../../rule-address.js";
import type { RuleCheck } from "../lint-rule.js";
import { isPrivateOnly, REFUSING_METHODS, widestHostBits } from "../scope.js";

/**
 * Replication should come from the cluster's members: wider than a /24 (IPv4) or /64 (IPv6) is suspect.
 * High when the range reaches beyond private address space; medium inside it (only hosts of the site
 * can ask, and they still need the replication role's credentials; Pigsty's default `intra` rule).
 */
const LIMIT = { 4: 8, 6: 64 } as const;

export const replicationWide: RuleCheck = {
  id: "replication-wide",
  severity: "high",
  title: "replication from a wide address",
  why: "a replication connection streams every row of every database; only the cluster's own members should be able to ask for one.",
  check: (rule) => {
    if (REFUSING_METHODS.has(rule.method) || !rule.databases.some((token) => isKeyword(token, "replication")))
      return undefined;
    const widest = widestHostBits(rule);
    if (!widest || widest.bits <= LIMIT[widest.family]) return undefined;
    const intranet = isPrivateOnly(rule);
    return {
      message: `replication allowed from ${rule.address}${intranet ? " (private address space only)" : ""}`,
      fix: "list the replicas' addresses (/32 each) or the cluster's subnet",
      ...(intranet ? { severity: "medium" as const } : {}),
    };
  },
};
