import assert from "node:assert/strict";
import { test } from "node:test";

import { parseInventory } from "../../config/load-inventory.js";
import { renderHba } from "../render/index.js";
import { explainMatrix, type HbaMatrix, type MatrixRow } from "./matrix.js";

const INVENTORY = `
all:
  children:
    infra: { hosts: { 10.10.10.10: {} } }
    pg-test:
      hosts:
        10.10.10.11: { pg_seq: 1, pg_role: primary }
        10.10.10.12: { pg_seq: 2, pg_role: replica }
      vars:
        pg_cluster: pg-test
        pg_users:
          - { name: dbuser_report, roles: [dbrole_readonly] }
        pg_hba_rules:
          - { user: dbuser_report, db: all, addr: world, auth: deny, title: 'no reports from outside', order: 90 }
          - { user: '\${admin}', db: all, addr: world, auth: cert, title: 'admin with a certificate', order: 95 }
          - { user: '\${repl}', db: replication, addr: samenet, auth: trust, title: 'replication from the same net', order: 2000 }
  vars:
    admin_ip: 10.10.10.9
    node_firewall_intranet: [ 192.168.0.0/16, 10.0.0.0/8 ]
    pg_version: 16
`;

const find = (matrix: HbaMatrix, role: string, network: string, database = "postgres"): MatrixRow => {
  const row = matrix.rows.find(
    (candidate) => candidate.role === role && candidate.network === network && candidate.database === database,
  );
  assert.ok(row, `no row for ${role} from ${network} to ${database}`);
  return row;
};

test("the matrix: every role from every kind of place, with and without TLS, answered by the rendered file", async () => {
  const inventory = parseInventory(INVENTORY, "pigsty.yml");
  const matrix = await explainMatrix(inventory, "pg-test", { instance: "10.10.10.11" });
  assert.equal(matrix.file, "pg-test-1.pg_hba.conf");
  assert.deepEqual(
    matrix.networks.map((network) => [network.labels.join(", "), network.address]),
    [
      ["local socket", "local"],
      ["localhost", "127.0.0.1"],
      ["admin", "10.10.10.9"],
      ["infra", "10.10.10.10"],
      ["cluster member", "10.10.10.12"],
      ["intranet", "192.168.0.1"],
      ["world", "203.0.113.7"],
    ],
  );
  assert.deepEqual(
    matrix.roles.map((role) => [role.name, role.kinds.join(",")]),
    [
      ["postgres", "dbsu"],
      ["replicator", "replication"],
      ["dbuser_monitor", "monitor"],
      ["dbuser_dba", "admin"],
      ["dbuser_report", "named in a rule"],
      ["dbuser_app", "app user"],
    ],
  );
  assert.deepEqual(
    matrix.roles.find((role) => role.name === "dbuser_report")?.memberOf,
    ["dbrole_readonly"],
    "memberships from pg_users",
  );
  // 6 roles x 7 networks, and the replication user once more for physical replication.
  assert.equal(matrix.rows.length, 6 * 7 + 7);
  assert.ok(
    matrix.rows.every((row) => (row.address === "local") === (row.tls === undefined)),
    "no TLS over the unix socket",
  );

  const socket = find(matrix, "postgres", "local socket");
  assert.deepEqual([socket.plain.method, socket.plain.verdict], ["peer", "allowed"]);
  const worldAdmin = find(matrix, "dbuser_dba", "world");
  assert.deepEqual(
    [worldAdmin.plain.method, worldAdmin.plain.verdict],
    [undefined, "refused"],
    "cert lines are hostssl: nothing without TLS",
  );
  assert.deepEqual(
    [worldAdmin.tls?.method, worldAdmin.tls?.verdict],
    ["cert", "allowed"],
    "over TLS the client shows its own certificate",
  );
  const report = find(matrix, "dbuser_report", "world");
  assert.deepEqual([report.plain.method, report.tls?.method, report.plain.verdict], ["reject", "reject", "refused"]);
  const intranetReport = find(matrix, "dbuser_report", "intranet");
  assert.deepEqual(
    [intranetReport.plain.method, intranetReport.plain.line],
    ["reject", report.plain.line],
    "world holds the intranet: the earlier deny wins",
  );
  const intranetApp = find(matrix, "dbuser_app", "intranet");
  assert.deepEqual(
    [intranetApp.plain.method, intranetApp.plain.verdict],
    ["scram-sha-256", "allowed"],
    "+dbrole_readonly from the intranet",
  );
  const replication = find(matrix, "replicator", "cluster member", "replication");
  assert.equal(replication.replication, true);
  assert.equal(replication.plain.method, "scram-sha-256");
  assert.equal(
    find(matrix, "replicator", "world", "replication").plain.verdict,
    "unknown",
    "only samenet is left, and it depends on the server's interfaces",
  );
});

test("the matrix cites lines of the rendered file, and its database is chosen", async () => {
  const inventory = parseInventory(INVENTORY, "pigsty.yml");
  const matrix = await explainMatrix(inventory, "pg-test", { instance: "pg-test-2", database: "meta" });
  assert.ok(matrix.rows.every((row) => row.database === "meta" || row.database === "replication"));
  const text = renderHba(inventory, "pg-test", { instance: "pg-test-2", target: "pg" }).text.split("\n");
  const cell = find(matrix, "dbuser_report", "world", "meta").plain;
  assert.match(text[(cell.line as number) - 1] ?? "", /^host\s+all\s+dbuser_report\s+0\.0\.0\.0\/0\s+reject/);
});
