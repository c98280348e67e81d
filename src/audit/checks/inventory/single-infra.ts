import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";

/** One infra node: monitoring, alerting, logs (and often the only etcd, MinIO and repo) on one host. */
export const singleInfra: AuditCheck = {
  id: "inventory/single-infra",
  title: "A single infra node",
  layer: "data",
  severity: "medium",
  soc2: ["CC9.1", "CC7.2"],
  scope: "inventory",
  why: "The infra node holds Grafana, the metrics, the alerting and the collected logs: when it is lost the fleet runs unwatched and the evidence of what happened goes with it.",
  fix: "Add a second infra node (a host in the infra group with infra_seq: 2), then Pigsty's infra.yml -l <ip>",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    const infra = view.infra;
    if (!infra || infra.hosts.length !== 1) return [];
    return [
      {
        subject: "infra",
        message: `the infra group has one node (${infra.hosts.join(", ")})`,
        evidence: [
          { label: "inventory group infra", value: `members: ${infra.hosts.join(", ")}`, source: infra.source },
        ],
        fix: `add a host with infra_seq: 2 to the infra group (${infra.source.file}:${infra.source.line}), then ./infra.yml -l <ip>`,
      },
    ];
  },
};
