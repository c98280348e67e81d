import { type AuditCheck } from "../../audit-check.js";
import { inventoryViewFact } from "../../facts/inventory-view.js";

/** An etcd cluster of an even number of members: no more failures tolerated than with one member less. */
export const etcdEven: AuditCheck = {
  id: "inventory/etcd-even",
  title: "An etcd cluster has an even number of members",
  layer: "data",
  severity: "medium",
  soc2: ["CC9.1"],
  scope: "inventory",
  why: "etcd needs a majority to work: 2 members tolerate no failure (worse than 1: twice the chance one is down), 4 tolerate one like 3. Patroni loses its DCS with the quorum and demotes the primaries: every cluster goes read-only.",
  fix: "Add or remove one etcd member so the count is odd (3 or 5): Pigsty's bin/etcd-add <ip> or bin/etcd-rm <ip>, and list it in the etcd group with its etcd_seq",
  facts: [inventoryViewFact],
  run(context) {
    const view = context.fact(inventoryViewFact);
    return view.etcd
      .filter((set) => set.hosts.length % 2 === 0)
      .map((set) => ({
        subject: set.name,
        message: `etcd cluster ${set.name} has ${set.hosts.length} members (${set.hosts.join(", ")}): it tolerates ${set.hosts.length / 2 - 1} failure(s), as ${set.hosts.length - 1} would`,
        evidence: [
          {
            label: `inventory etcd cluster ${set.name}`,
            value: `members: ${set.hosts.join(", ")}`,
            source: set.source,
          },
        ],
        fix: `make the member count odd: add one with bin/etcd-add <ip> (listed in ${set.source.file}:${set.source.line} with the next etcd_seq), or remove one with bin/etcd-rm <ip>`,
      }));
  },
};
