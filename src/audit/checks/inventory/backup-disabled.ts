import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";
import { ansibleTruth, shownValue, varEvidence } from "./inventory-values.js";

/** `pgbackrest_enabled: false` on every member of a cluster: Pigsty sets up no backup for it at all. */
export const backupDisabled: AuditCheck = {
  id: "inventory/backup-disabled",
  title: "A cluster has no backup",
  layer: "data",
  severity: "high",
  soc2: ["A1.2"],
  cis: "8.2",
  scope: "inventory",
  why: "Without pgBackRest there is no base backup and no WAL archive: replicas copy a DROP TABLE or a corruption within a second, and nothing restores the data as it was before.",
  fix: "pgbackrest_enabled: true (Pigsty's default) for the cluster, a repository in pgbackrest_method/pgbackrest_repo, then ./pgsql.yml -l <cluster> -t pgbackrest",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    return view.clusters.flatMap((cluster) => {
      const entries = view.values("pgbackrest_enabled", cluster.members);
      if (!entries.every((entry) => ansibleTruth(entry.value) === false)) return [];
      return [
        {
          subject: cluster.name,
          message: `pgbackrest_enabled is false on every member of cluster ${cluster.name}: no backup, no WAL archive`,
          evidence: entries.map((entry) => varEvidence(entry, shownValue(entry.value))),
          fix: `pgbackrest_enabled: true for cluster ${cluster.name} (remove the false at ${entries
            .map((entry) => (entry.source ? `${entry.source.file}:${entry.source.line}` : entry.origin))
            .join(", ")}), then ./pgsql.yml -l ${cluster.name} -t pgbackrest`,
        },
      ];
    });
  },
};
