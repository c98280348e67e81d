import assert from "node:assert/strict";
import { test } from "node:test";

import { parseInventory } from "../../config/load-inventory.js";
import { ExitCode, PgwardenError } from "../../core/errors.js";
import { fillConnTemplate, inventoryTargets } from "./inventory-targets.js";

const inventory = parseInventory(
  `all:
  children:
    pg-meta:
      hosts:
        10.10.10.10: { pg_seq: 1, pg_role: primary, pg_port: 6543 }
        db2: { pg_seq: 2, pg_role: replica, ansible_host: 10.10.10.12 }
      vars: { pg_cluster: pg-meta, pg_admin_username: ops_admin }
    pg-test:
      hosts:
        10.10.10.20: { pg_seq: 1, pg_role: primary }
      vars: { pg_cluster: pg-test, pg_dbsu: pgdbsu }
    pg-bare:
      hosts:
        10.10.10.30: { pg_seq: 1, pg_role: primary }
      vars: { pg_cluster: pg-bare }
`,
  "pigsty.yml",
);
const env = { HOME: "/nonexistent" };

test("each instance is a server target named after it, reached by its host's settings, and the inventory is one more target", () => {
  const { servers, inventory: target } = inventoryTargets({ inventory, file: "pigsty.yml", env });
  const seen = servers.map((server) => [
    server.name,
    server.connection.host,
    server.connection.port,
    server.connection.user,
    server.connection.dbname,
    server.inventory?.cluster,
    server.inventory?.host,
  ]);
  assert.deepEqual(seen, [
    ["pg-bare-1", "10.10.10.30", 5432, "dbuser_dba", "postgres", "pg-bare", "10.10.10.30"],
    ["pg-meta-1", "10.10.10.10", 6543, "ops_admin", "postgres", "pg-meta", "10.10.10.10"],
    ["pg-meta-2", "10.10.10.12", 5432, "ops_admin", "postgres", "pg-meta", "db2"],
    ["pg-test-1", "10.10.10.20", 5432, "pgdbsu", "postgres", "pg-test", "10.10.10.20"],
  ]);
  assert.equal(target.kind, "inventory");
  assert.equal(target.name, "pigsty.yml");
  assert.equal(target.inventory.cluster, undefined);
});

test("--cluster keeps that cluster's instances and scopes the inventory target to it; an unknown cluster is exit 4", () => {
  const { servers, inventory: target } = inventoryTargets({ inventory, file: "pigsty.yml", cluster: "pg-meta", env });
  assert.deepEqual(
    servers.map((server) => server.name),
    ["pg-meta-1", "pg-meta-2"],
  );
  assert.equal(target.inventory.cluster, "pg-meta");
  assert.throws(
    () => inventoryTargets({ inventory, file: "pigsty.yml", cluster: "pg-nope", env }),
    (error) => error instanceof PgwardenError && error.exitCode === ExitCode.notFound,
  );
});

test("--conn-template fills every placeholder per instance; PG* variables fill what it leaves out", () => {
  const { servers } = inventoryTargets({
    inventory,
    file: "pigsty.yml",
    cluster: "pg-meta",
    connTemplate: "host={host} port={port} user=monitor dbname={cluster} application_name={instance}-{seq}-{user}",
    env: { ...env, PGSSLMODE: "verify-full" },
  });
  const second = servers[1];
  assert.ok(second);
  assert.equal(second.connection.host, "10.10.10.12");
  assert.equal(second.connection.user, "monitor");
  assert.equal(second.connection.dbname, "pg-meta");
  assert.equal(second.connection.applicationName, "pg-meta-2-2-ops_admin");
  assert.equal(second.connection.sslmode, "verify-full");
});

test("a template with an unknown placeholder or a password is a usage error (exit 2)", () => {
  for (const connTemplate of ["host={hostname}", "host={host} password=secret"])
    assert.throws(
      () => inventoryTargets({ inventory, file: "pigsty.yml", connTemplate, env }),
      (error) => error instanceof PgwardenError && error.exitCode === ExitCode.usage,
      connTemplate,
    );
  assert.equal(
    fillConnTemplate("{host}:{port}", { host: "h", port: "1", cluster: "", instance: "", seq: "", user: "" }),
    "h:1",
  );
});

test("a pg_port that is not a port is an invalid inventory (exit 3) naming the host", () => {
  const bad = parseInventory(
    `all:
  children:
    pg-x:
      hosts: { 10.0.0.1: { pg_seq: 1, pg_role: primary, pg_port: 70000 } }
      vars: { pg_cluster: pg-x }
`,
    "bad.yml",
  );
  assert.throws(
    () => inventoryTargets({ inventory: bad, file: "bad.yml", env }),
    (error) =>
      error instanceof PgwardenError &&
      error.exitCode === ExitCode.config &&
      /10\.0\.0\.1.*pg_port/.test(error.message),
  );
});
