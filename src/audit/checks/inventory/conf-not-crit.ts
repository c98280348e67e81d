import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";
import { ansibleTruth, shownValue, varEvidence, varOrigin } from "./inventory-values.js";

/**
 * The variable that marks a cluster critical. Pigsty has none, so pgwarden reads its own:
 * `pgwarden_critical: true` in the cluster's vars (or all.vars, or a host's), which Pigsty ignores.
 */
export const CRITICAL_MARK = "pgwarden_critical";

/** Pigsty's template for clusters that must not lose a committed transaction. */
const CRIT_TEMPLATE = "crit.yml";

/** A cluster marked critical (pgwarden_critical: true) whose pg_conf is not crit.yml. */
export const confNotCrit: AuditCheck = {
  id: "inventory/conf-not-crit",
  title: "A critical cluster does not use the crit.yml template",
  layer: "data",
  severity: "medium",
  soc2: ["CC9.1", "A1.2"],
  scope: "inventory",
  why: "Pigsty's crit.yml turns on Patroni's strict synchronous mode, failsafe mode and data checksums, so a failover loses no committed transaction; oltp.yml (the default) trades that for latency, which a cluster marked critical should not. pgwarden reads a cluster as critical when `pgwarden_critical: true` is set for it (its vars, all.vars or a host's): Pigsty has no such mark and ignores the key.",
  fix: "pg_conf: crit.yml in the cluster's vars (it applies when a cluster is created); on a running cluster also patronictl edit-config to set synchronous_mode: true, synchronous_mode_strict: true and failsafe_mode: true",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    const drafts: FindingDraft[] = [];
    for (const cluster of view.clusters) {
      for (const mark of view.values(CRITICAL_MARK, cluster.members)) {
        if (ansibleTruth(mark.value) !== true) continue;
        for (const conf of view.values("pg_conf", mark.hosts)) {
          if (conf.value === CRIT_TEMPLATE) continue;
          drafts.push({
            // One finding per cluster, unless a host sets its own pg_conf.
            subject: conf.origin.startsWith("host ") ? `${cluster.name} (${conf.origin})` : cluster.name,
            message: `cluster ${cluster.name} is marked critical (${CRITICAL_MARK}, ${varOrigin(mark)}) but pg_conf is ${shownValue(conf.value)} (${varOrigin(conf)})`,
            evidence: [varEvidence(mark, shownValue(mark.value)), varEvidence(conf, shownValue(conf.value))],
            fix: `pg_conf: crit.yml in the vars of cluster ${cluster.name} (${cluster.source.file}:${cluster.source.line}); on the running cluster: patronictl -c /etc/patroni/patroni.yml edit-config ${cluster.name} to set synchronous_mode: true, synchronous_mode_strict: true, failsafe_mode: true`,
          });
        }
      }
    }
    return drafts;
  },
};
