import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";

/** Members a PostgreSQL cluster needs to lose one and keep a primary and a replica. */
const MIN_MEMBERS = 3;

/** A PostgreSQL cluster of fewer than three nodes: one failure leaves it without a replica, or down. */
export const clusterTooSmall: AuditCheck = {
  id: "inventory/cluster-too-small",
  title: "A PostgreSQL cluster has fewer than three nodes",
  layer: "data",
  severity: "medium",
  soc2: ["CC9.1"],
  scope: "inventory",
  why: "With one node, a lost disk or host is an outage and a restore from backup; with two, a failover leaves a lone primary with no copy of the data until the old node is rebuilt. Three nodes survive one failure with a replica left.",
  fix: "Add replicas to the cluster in the inventory (hosts with the cluster's pg_cluster, pg_role: replica and a new pg_seq), then Pigsty's bin/pgsql-add <cluster> <ip>",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    return view.clusters
      .filter((cluster) => cluster.members.length < MIN_MEMBERS)
      .map((cluster) => ({
        subject: cluster.name,
        // A single node has no copy at all: losing it loses everything since the last backup.
        ...(cluster.members.length === 1 ? { severity: "high" as const } : {}),
        message: `cluster ${cluster.name} has ${cluster.members.length} node${cluster.members.length === 1 ? "" : "s"} (${cluster.members.join(", ")}): fewer than ${MIN_MEMBERS}`,
        evidence: [
          {
            label: `inventory cluster ${cluster.name}`,
            value: `members: ${cluster.members.join(", ")}`,
            source: cluster.source,
          },
        ],
        fix: `add ${MIN_MEMBERS - cluster.members.length} replica host(s) with pg_cluster: ${cluster.name}, pg_role: replica to ${cluster.source.file}:${cluster.source.line}, then bin/pgsql-add ${cluster.name} <ip>`,
      }));
  },
};
