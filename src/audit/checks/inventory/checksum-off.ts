import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";
import {
  ansibleTruth,
  clusterScopes,
  shownValue,
  valuesOver,
  varEvidence,
  varOrigin,
  varSubject,
} from "./inventory-values.js";

/** `pg_checksum: false`: the cluster is initialised without data checksums. */
export const checksumOff: AuditCheck = {
  id: "inventory/checksum-off",
  title: "Clusters are created without data checksums",
  layer: "data",
  severity: "medium",
  soc2: ["CC9.1"],
  cis: "1.4.3",
  scope: "inventory",
  why: "Without data checksums a page damaged by the disk, the controller or the kernel is read back as valid data and copied into replicas and backups: corruption goes unnoticed until it is everywhere.",
  fix: "pg_checksum: true in the inventory for new clusters; an existing cluster needs pg_checksums --enable while stopped (or a rebuild from a replica initialised with checksums)",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    return valuesOver(view, "pg_checksum", clusterScopes(view))
      .filter(({ entry }) => ansibleTruth(entry.value) === false)
      .map(({ entry, scopes }) => ({
        subject: varSubject(entry),
        message: `pg_checksum is ${shownValue(entry.value)} for ${scopes.join(", ")} (${varOrigin(entry)})`,
        evidence: [varEvidence(entry, shownValue(entry.value))],
        fix: `pg_checksum: true in ${entry.source ? `${entry.source.file}:${entry.source.line}` : view.file}; on the running cluster: pg_checksums --enable -D <pgdata> while it is stopped, one instance at a time`,
      }));
  },
};
