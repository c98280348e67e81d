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
  why: "Pigsty's crit.yml turns on synchronous replication and the safer Patroni settings, so a failover loses no committed transaction; oltp.yml (the default) trades that for latency, which a cluster marked critical should not.",
  fix: "pg_conf: crit.yml in the cluster's vars, then re-run pgsql.yml -t pg_conf,patroni on it and restart the instances one by one",
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
            fix: `pg_conf: crit.yml in the vars of cluster ${cluster.name} (${cluster.source.file}:${cluster.source.line}), then re-run pgsql.yml on it and restart its instances one by one`,
          });
        }
      }
    }
    return drafts;
  },
};
