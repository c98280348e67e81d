import assert from "node:assert/strict";
import { test } from "node:test";

import { clusterSource, clusterVarSource } from "./cluster-source.js";
import { parseInventory } from "./load-inventory.js";
import { sourceDetail } from "./source-detail.js";

const TEXT = `all:
  children:
    pg-meta:
      hosts: { 10.10.10.10: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-meta
        pg_admin_password: Meta-Admin-1
    pg-test:
      hosts:
        10.10.10.11: { pg_seq: 1, pg_role: primary }
        10.10.10.12: { pg_seq: 2, pg_role: replica }
      vars: { pg_cluster: pg-test }
    odd:
      hosts:
        10.10.10.13: { pg_seq: 1, pg_role: primary, pg_cluster: pg-odd }
  vars:
    pg_admin_password: Global-Admin-1
    pg_monitor_password: { env: MONITOR }
`;
const lines = TEXT.split("\n");
/** The 1-based line holding `text`, found in the fixture itself. */
const lineOf = (text: string, from = 0) => lines.findIndex((line, index) => index >= from && line.includes(text)) + 1;

test("a value the cluster uses is traced to the line that sets it: the cluster's group over all.vars", () => {
  const inventory = parseInventory(TEXT, "pigsty.yml");
  assert.deepEqual(clusterVarSource(inventory, "pg-meta", "pg_admin_password"), {
    file: "pigsty.yml",
    line: lineOf("Meta-Admin-1"),
  });
  assert.deepEqual(clusterVarSource(inventory, "pg-test", "pg_admin_password"), {
    file: "pigsty.yml",
    line: lineOf("Global-Admin-1"),
  });
  assert.deepEqual(clusterVarSource(inventory, "pg-test", "pg_monitor_password"), {
    file: "pigsty.yml",
    line: lineOf("pg_monitor_password"),
  });
  assert.equal(
    clusterVarSource(inventory, "pg-test", "pg_replication_password"),
    undefined,
    "unset: Pigsty's default applies",
  );
  const source = clusterVarSource(inventory, "pg-meta", "pg_admin_password");
  assert.ok(source);
  assert.deepEqual(sourceDetail(source), {
    column: lines[source.line - 1]!.indexOf("pg_admin_password") + 1,
    path: "all.children.pg-meta.vars.pg_admin_password",
  });
});

test("a default comes into force at the cluster's entry: its group's line, else its first member's", () => {
  const inventory = parseInventory(TEXT, "pigsty.yml");
  assert.deepEqual(clusterSource(inventory, "pg-test"), { file: "pigsty.yml", line: lineOf("    pg-test:") });
  assert.deepEqual(sourceDetail(clusterSource(inventory, "pg-test")), { column: 5, path: "all.children.pg-test" });
  // pg-odd is named by a host's pg_cluster inside group "odd", which holds all its members.
  assert.deepEqual(clusterSource(inventory, "pg-odd"), { file: "pigsty.yml", line: lineOf("    odd:") });
  const ungrouped = parseInventory(
    "all:\n  hosts:\n    10.0.0.1: { pg_cluster: pg-solo, pg_seq: 1, pg_role: primary }\n",
    "solo.yml",
  );
  assert.deepEqual(clusterSource(ungrouped, "pg-solo"), { file: "solo.yml", line: 3 });
});
