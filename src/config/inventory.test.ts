import assert from "node:assert/strict";
import { test } from "node:test";

import { ExitCode, PgwardenError } from "../core/errors.js";
import {
  clusterMembers,
  clusterNames,
  groupHosts,
  hostVars,
  instanceName,
  instanceVars,
  resolveInstance,
} from "./inventory.js";
import { parseInventory } from "./load-inventory.js";

const inventory = parseInventory(
  `all:
  children:
    infra:
      hosts: { 10.10.10.10: { infra_seq: 1 } }
      vars: { region: infra-region, pg_dbsu: infra_dbsu }
    pg-test:
      hosts:
        10.10.10.11: { pg_seq: 1, pg_role: primary, pg_admin_username: host_admin }
        10.10.10.9:  { pg_seq: 2, pg_role: replica }
        10.10.10.10: { pg_seq: 3, pg_role: replica, pg_offline_query: true }
      vars:
        pg_cluster: pg-test
        pg_admin_username: cluster_admin
        pg_monitor_username: cluster_monitor
    alpha:
      hosts: { 10.10.10.9: { pg_seq: 2 } }
      vars: { pg_monitor_username: alpha_monitor }
    zeta:
      hosts: { 10.10.10.9: {} }
      vars: { pg_monitor_username: zeta_monitor }
    region-east:
      children:
        pg-east:
          hosts: { 10.20.0.1: { pg_seq: 1, pg_role: primary } }
          vars: { pg_cluster: pg-east, region: east-child }
      vars: { region: east-parent, pg_dbsu: east_dbsu }
  vars:
    pg_admin_username: global_admin
    pg_monitor_username: global_monitor
    pg_dbsu: global_dbsu
    region: global
`,
  "pigsty.yml",
);

test("host vars win over group vars, which win over all.vars", () => {
  const vars = instanceVars(inventory, "pg-test", "10.10.10.11");
  assert.equal(vars.pg_admin_username, "host_admin");
  assert.equal(vars.pg_monitor_username, "cluster_monitor");
  assert.equal(vars.pg_dbsu, "global_dbsu");
  assert.equal(instanceVars(inventory, "pg-test", "10.10.10.9").pg_admin_username, "cluster_admin");
});

test("groups of the same depth apply in name order, and a host's other groups count, as in Ansible", () => {
  // 10.10.10.9 is in alpha, pg-test and zeta: zeta comes last by name.
  assert.equal(hostVars(inventory, "10.10.10.9").pg_monitor_username, "zeta_monitor");
  // 10.10.10.10 is in infra and pg-test: pg-test comes after infra.
  assert.equal(hostVars(inventory, "10.10.10.10").region, "infra-region");
  assert.equal(hostVars(inventory, "10.10.10.10").pg_dbsu, "infra_dbsu");
  // A nested group's vars come after its parent's.
  assert.equal(hostVars(inventory, "10.20.0.1").region, "east-child");
  assert.equal(hostVars(inventory, "10.20.0.1").pg_dbsu, "east_dbsu");
});

test("clusters come from pg_cluster; members sort as strings, as Pigsty's pg_cluster_members", () => {
  assert.deepEqual(clusterNames(inventory), ["pg-east", "pg-test"]);
  assert.deepEqual(clusterMembers(inventory, "pg-test"), ["10.10.10.10", "10.10.10.11", "10.10.10.9"]);
  assert.deepEqual(clusterMembers(inventory, "pg-east"), ["10.20.0.1"]);
  assert.deepEqual(groupHosts(inventory, "region-east"), ["10.20.0.1"]);
  assert.deepEqual(groupHosts(inventory, "nope"), []);
});

test("instances are found by address or by <cluster>-<seq>", () => {
  assert.equal(resolveInstance(inventory, "pg-test", "pg-test-2"), "10.10.10.9");
  assert.equal(resolveInstance(inventory, "pg-test", "10.10.10.10"), "10.10.10.10");
  assert.equal(instanceName(inventory, "10.10.10.10"), "pg-test-3");
  assert.equal(instanceVars(inventory, "pg-test", "pg-test-3").pg_offline_query, true);
});

test("unknown clusters and instances are not-found (exit 4) and list what exists", () => {
  const notFound = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(
      fn,
      (error: unknown) =>
        error instanceof PgwardenError && error.exitCode === ExitCode.notFound && pattern.test(error.message),
    );
  notFound(
    () => instanceVars(inventory, "pg-meta"),
    /^no cluster "pg-meta" in pigsty\.yml: clusters are pg-east, pg-test$/,
  );
  notFound(() => clusterMembers(inventory, "infra"), /^no cluster "infra"/);
  notFound(
    () => instanceVars(inventory, "pg-test", "10.20.0.1"),
    /^no instance "10\.20\.0\.1" in cluster pg-test: its members are 10\.10\.10\.10 \(pg-test-3\), 10\.10\.10\.11 \(pg-test-1\), 10\.10\.10\.9 \(pg-test-2\)$/,
  );
  notFound(() => resolveInstance(inventory, "pg-test", "pg-test-9"), /no instance "pg-test-9"/);
});

test("cluster vars without an instance: all.vars and the vars of the groups every member is in", () => {
  const vars = instanceVars(inventory, "pg-test");
  assert.equal(vars.pg_cluster, "pg-test");
  assert.equal(vars.pg_admin_username, "cluster_admin", "no host vars");
  assert.equal(vars.pg_monitor_username, "cluster_monitor", "alpha and zeta hold only one member");
  assert.equal(vars.region, "global", "infra holds only one member");
  assert.equal(instanceVars(inventory, "pg-east").region, "east-child");
});
