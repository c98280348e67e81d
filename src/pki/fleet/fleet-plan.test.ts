import assert from "node:assert/strict";
import { test } from "node:test";

import { parseInventory } from "../../config/load-inventory.js";
import { PgwardenError } from "../../core/errors.js";
import { formatSubjectAltName } from "../names/subject-alt-name.js";
import { planFleet } from "./fleet-plan.js";

const PIGSTY_HA = `
all:
  children:
    infra: { hosts: { 10.10.10.10: { infra_seq: 1 } } }
    etcd:
      hosts:
        10.10.10.10: { etcd_seq: 1 }
        10.10.10.11: { etcd_seq: 2 }
        10.10.10.12: { etcd_seq: 3 }
      vars: { etcd_cluster: etcd }
    pg-meta:
      hosts: { 10.10.10.10: { pg_seq: 1, pg_role: primary } }
      vars: { pg_cluster: pg-meta }
    pg-test:
      hosts:
        10.10.10.11: { pg_seq: 1, pg_role: primary, nodename: node-11.example.com }
        10.10.10.12: { pg_seq: 2, pg_role: replica }
        10.10.10.9:  { pg_seq: 3, pg_role: replica }
      vars: { pg_cluster: pg-test, pg_vip_enabled: true, pg_vip_address: 10.10.10.3/24 }
`;

const summary = (file: string, cluster?: string) =>
  planFleet(parseInventory(file, "pigsty.yml"), { cluster }).map((item) => [
    item.certPath,
    item.keyPath,
    item.profile.name,
    item.commonName,
    item.subjectAltNames.map(formatSubjectAltName).join(" "),
  ]);

test("a 3-node cluster with a VIP, an etcd group of 3 and an infra node: one server certificate per instance for the cluster key, one peer pair per etcd member", () => {
  assert.deepEqual(summary(PIGSTY_HA), [
    [
      "pgsql/pg-meta-1.crt",
      "pgsql/pg-meta.key",
      "server",
      "pg-meta-1",
      "DNS:pg-meta-1 DNS:pg-meta IP:10.10.10.10 DNS:localhost IP:127.0.0.1",
    ],
    [
      "pgsql/pg-test-1.crt",
      "pgsql/pg-test.key",
      "server",
      "pg-test-1",
      "DNS:pg-test-1 DNS:pg-test IP:10.10.10.3 DNS:node-11.example.com IP:10.10.10.11 DNS:localhost IP:127.0.0.1",
    ],
    [
      "pgsql/pg-test-2.crt",
      "pgsql/pg-test.key",
      "server",
      "pg-test-2",
      "DNS:pg-test-2 DNS:pg-test IP:10.10.10.3 IP:10.10.10.12 DNS:localhost IP:127.0.0.1",
    ],
    [
      "pgsql/pg-test-3.crt",
      "pgsql/pg-test.key",
      "server",
      "pg-test-3",
      "DNS:pg-test-3 DNS:pg-test IP:10.10.10.3 IP:10.10.10.9 DNS:localhost IP:127.0.0.1",
    ],
    ["etcd/etcd-1.crt", "etcd/etcd-1.key", "peer", "etcd-1", "DNS:etcd-1 IP:10.10.10.10 DNS:localhost IP:127.0.0.1"],
    [
      "etcd/etcd-2.crt",
      "etcd/etcd-2.key",
      "peer",
      "etcd-2",
      "DNS:etcd-2 DNS:node-11.example.com IP:10.10.10.11 DNS:localhost IP:127.0.0.1",
    ],
    ["etcd/etcd-3.crt", "etcd/etcd-3.key", "peer", "etcd-3", "DNS:etcd-3 IP:10.10.10.12 DNS:localhost IP:127.0.0.1"],
  ]);
});

test("--cluster picks one pg_cluster or the etcd cluster; an unknown one is not found (exit 4) and the known ones are named", () => {
  assert.deepEqual(
    summary(PIGSTY_HA, "pg-meta").map(([cert]) => cert),
    ["pgsql/pg-meta-1.crt"],
  );
  assert.deepEqual(
    summary(PIGSTY_HA, "etcd").map(([cert]) => cert),
    ["etcd/etcd-1.crt", "etcd/etcd-2.crt", "etcd/etcd-3.crt"],
  );
  assert.throws(
    () => summary(PIGSTY_HA, "pg-nope"),
    (error: unknown) =>
      error instanceof PgwardenError &&
      error.exitCode === 4 &&
      /clusters are etcd, pg-meta, pg-test/.test(error.message),
  );
});

test("a VIP counts only when pg_vip_enabled, as Pigsty binds it; its prefix length is dropped; etcd_cluster defaults to etcd", () => {
  const disabled = PIGSTY_HA.replace("pg_vip_enabled: true", "pg_vip_enabled: false").replace(
    "vars: { etcd_cluster: etcd }",
    "vars: {}",
  );
  const plan = summary(disabled);
  assert.ok(plan.every(([, , , , sans]) => !(sans as string).includes("10.10.10.3 ")));
  assert.ok(plan.some(([cert]) => cert === "etcd/etcd-1.crt"));
});

test("two hosts with one instance name, or a cluster name that cannot be a DNS name, are config errors (exit 3) naming the hosts", () => {
  const twice = PIGSTY_HA.replace("10.10.10.12: { pg_seq: 2,", "10.10.10.12: { pg_seq: 1,");
  assert.throws(
    () => summary(twice),
    (error: unknown) =>
      error instanceof PgwardenError &&
      error.exitCode === 3 &&
      /10\.10\.10\.11 and 10\.10\.10\.12 are both pg-test-1/.test(error.message),
  );
  const underscore = PIGSTY_HA.replaceAll("pg-meta", "pg_meta");
  assert.throws(
    () => summary(underscore),
    (error: unknown) =>
      error instanceof PgwardenError &&
      error.exitCode === 3 &&
      /host 10\.10\.10\.10: instance "pg_meta-1"/.test(error.message),
  );
});

test("pg_vip_address must be an address with an optional prefix length", () => {
  assert.throws(
    () => parseInventory(PIGSTY_HA.replace("10.10.10.3/24", "vip.example/24"), "pigsty.yml"),
    /pg_vip_address: "vip.example\/24" is not an address/,
  );
});
