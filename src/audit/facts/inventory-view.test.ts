import assert from "node:assert/strict";
import { test } from "node:test";

import { hostVars } from "../../config/inventory.js";
import { parseInventory } from "../../config/load-inventory.js";
import { inventoryView } from "./inventory-view.js";

const FILE = "pigsty.yml";

// Nested groups, a host in several groups, a var at every level: all.vars < shallow group < deep group < host.
const TEXT = `all:
  children:
    fleet:
      vars:
        pg_listen: fleet-wide
        pg_conf: olap.yml
      children:
        pg-test:
          hosts:
            10.0.0.1: { pg_seq: 1, pg_role: primary }
            10.0.0.2: { pg_seq: 2, pg_role: replica, pg_listen: host-own }
            10.0.0.3: { pg_seq: 3, pg_role: replica }
          vars:
            pg_cluster: pg-test
            pg_listen: cluster-wide
    pg-solo:
      hosts:
        10.0.1.1: { pg_seq: 1, pg_role: primary, etcd_seq: 1 }
      vars:
        pg_cluster: pg-solo
    minio:
      hosts:
        10.0.2.1: { minio_seq: 1 }
  vars:
    pg_listen: everywhere
    pg_checksum: false
`;

test("values: the host's own var, else the deepest group's, else all.vars, else Pigsty's default, each at its line", () => {
  const inventory = parseInventory(TEXT, FILE);
  const view = inventoryView({ inventory, file: FILE });
  const lineOf = (needle: string) => TEXT.split("\n").findIndex((line) => line.includes(needle)) + 1;
  const listen = view.values("pg_listen", ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.1"]);
  assert.deepEqual(
    listen.map((entry) => [entry.value, entry.origin, entry.source?.line, entry.hosts]),
    [
      ["cluster-wide", "group pg-test", lineOf("pg_listen: cluster-wide"), ["10.0.0.1", "10.0.0.3"]],
      ["host-own", "host 10.0.0.2", lineOf("10.0.0.2:"), ["10.0.0.2"]],
      ["everywhere", "all.vars", lineOf("pg_listen: everywhere"), ["10.0.1.1"]],
    ],
  );
  const [conf, confSolo] = view.values("pg_conf", ["10.0.0.1", "10.0.1.1"]);
  assert.deepEqual(
    [conf?.value, conf?.origin, conf?.source?.line],
    ["olap.yml", "group fleet", lineOf("pg_conf: olap")],
  );
  assert.deepEqual([confSolo?.value, confSolo?.defaulted, confSolo?.source], ["oltp.yml", true, undefined]);
  assert.match(confSolo?.origin ?? "", /^Pigsty's roles\/pgsql\/defaults\/main\.yml:74 \(pgsty\/pigsty@c73d321\)$/);
  // What the view says a host gets is what the inventory loader's own merge gives it.
  for (const key of ["pg_listen", "pg_conf", "pg_checksum", "pg_cluster"])
    for (const entry of view.values(key, view.hosts))
      if (!entry.defaulted)
        for (const host of entry.hosts)
          assert.deepEqual(entry.value, hostVars(inventory, host)[key], `${key} of ${host}`);
});

test("clusters, etcd members (by etcd_seq, outside an etcd group too), MinIO nodes; --cluster narrows the clusters only", () => {
  const inventory = parseInventory(TEXT, FILE);
  const view = inventoryView({ inventory, file: FILE });
  assert.deepEqual(
    view.clusters.map((cluster) => [cluster.name, cluster.members]),
    [
      ["pg-solo", ["10.0.1.1"]],
      ["pg-test", ["10.0.0.1", "10.0.0.2", "10.0.0.3"]],
    ],
  );
  assert.deepEqual(
    view.etcd.map((set) => [set.name, set.hosts]),
    [["etcd", ["10.0.1.1"]]],
  );
  assert.deepEqual(view.minioHosts, ["10.0.2.1"]);
  assert.equal(view.infra, undefined);
  const narrowed = inventoryView({ inventory, file: FILE, cluster: "pg-test" });
  assert.deepEqual(
    narrowed.clusters.map((cluster) => cluster.name),
    ["pg-test"],
  );
  assert.equal(narrowed.etcd.length, 1);
});
