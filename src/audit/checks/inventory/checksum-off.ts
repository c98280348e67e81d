import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";
import { ansibleTruth, varLocation, weakClusterValues } from "./inventory-values.js";

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
    return weakClusterValues(
      view,
      "pg_checksum",
      (value) => ansibleTruth(value) === false,
      ({ entry }) => ({
        fix: `pg_checksum: true in ${varLocation(entry, view.file)}; on the running cluster: pg_checksums --enable -D <pgdata> while it is stopped, one instance at a time`,
      }),
    );
  },
};
