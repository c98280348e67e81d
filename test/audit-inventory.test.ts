import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { parseDocument } from "yaml";

import { type InventoryTarget } from "../src/audit/audit-target.js";
import { ALL_CHECKS } from "../src/audit/checks/index.js";
import { runAudit } from "../src/audit/run-audit.js";
import { loadInventory } from "../src/config/load-inventory.js";
import { generatePassword } from "../src/roles/generate-password.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/audit-inventory/", import.meta.url));
const NOW = new Date("2026-12-05T00:00:00Z");

/** Audits one inventory file as the CLI's --inventory target does: every check, the inventory's apply. */
async function auditInventory(file: string) {
  const target: InventoryTarget = {
    kind: "inventory",
    name: file,
    inventory: { inventory: await loadInventory(file), file },
  };
  return runAudit([target], { now: NOW, checks: ALL_CHECKS, version: "test" });
}

const findingKeys = (report: Awaited<ReturnType<typeof auditInventory>>): string[] =>
  report.findings.map((finding) => `${finding.id} ${finding.subject}`).sort();

/** What weak.yml plants: each check's finding, with the subject that tells it apart. */
const PLANTED = [
  "inventory/backup-disabled pg-dev",
  "inventory/backup-unencrypted pgbackrest_repo.minio (group pg-test)",
  "inventory/checksum-off pg_checksum (group pg-test)",
  "inventory/cluster-too-small pg-test",
  "inventory/conf-not-crit pg-test",
  "inventory/default-passwords etcd_root_password",
  "inventory/default-passwords grafana_admin_password",
  "inventory/default-passwords haproxy_admin_password",
  "inventory/default-passwords minio_secret_key",
  "inventory/default-passwords patroni_password",
  "inventory/default-passwords pg_admin_password",
  "inventory/default-passwords pg_monitor_password",
  "inventory/default-passwords pg_replication_password",
  "inventory/etcd-even etcd",
  "inventory/listen-all pg_listen",
  "inventory/patroni-ssl-off patroni_ssl_enabled",
  "inventory/pgbouncer-sslmode-disable pgbouncer_sslmode",
  "inventory/single-infra infra",
];

type Edit = (document: ReturnType<typeof parseDocument>) => void;
const vars =
  (key: string, value: unknown): Edit =>
  (document) =>
    document.setIn(["all", "vars", key], value);
const clusterVar =
  (key: string, value: unknown): Edit =>
  (document) =>
    document.setIn(["all", "children", "pg-test", "vars", key], value);
const host =
  (group: string, address: string, hostVars: Record<string, unknown>): Edit =>
  (document) =>
    document.setIn(["all", "children", group, "hosts", address], hostVars);

/** Each finding's printed fix, done to the inventory as the fix says (the fixes are configuration lines). */
const FIXES: Readonly<Record<string, Edit[]>> = {
  "inventory/backup-disabled pg-dev": [
    (document) => document.setIn(["all", "children", "pg-dev", "vars", "pgbackrest_enabled"], true),
  ],
  "inventory/backup-unencrypted pgbackrest_repo.minio (group pg-test)": [
    (document) =>
      document.setIn(["all", "children", "pg-test", "vars", "pgbackrest_repo", "minio", "cipher_type"], "aes-256-cbc"),
    (document) =>
      document.setIn(
        ["all", "children", "pg-test", "vars", "pgbackrest_repo", "minio", "cipher_pass"],
        generatePassword(),
      ),
  ],
  "inventory/checksum-off pg_checksum (group pg-test)": [clusterVar("pg_checksum", true)],
  "inventory/cluster-too-small pg-test": [host("pg-test", "10.10.10.13", { pg_seq: 3, pg_role: "replica" })],
  "inventory/conf-not-crit pg-test": [clusterVar("pg_conf", "crit.yml")],
  "inventory/default-passwords etcd_root_password": [vars("etcd_root_password", generatePassword())],
  "inventory/default-passwords grafana_admin_password": [vars("grafana_admin_password", generatePassword())],
  "inventory/default-passwords haproxy_admin_password": [vars("haproxy_admin_password", generatePassword())],
  "inventory/default-passwords minio_secret_key": [vars("minio_secret_key", generatePassword())],
  "inventory/default-passwords patroni_password": [vars("patroni_password", generatePassword())],
  "inventory/default-passwords pg_admin_password": [vars("pg_admin_password", generatePassword())],
  "inventory/default-passwords pg_monitor_password": [vars("pg_monitor_password", generatePassword())],
  "inventory/default-passwords pg_replication_password": [vars("pg_replication_password", generatePassword())],
  "inventory/etcd-even etcd": [host("etcd", "10.10.10.12", { etcd_seq: 3 })],
  "inventory/listen-all pg_listen": [vars("pg_listen", "${ip},${vip},${lo}")],
  "inventory/patroni-ssl-off patroni_ssl_enabled": [vars("patroni_ssl_enabled", true)],
  "inventory/pgbouncer-sslmode-disable pgbouncer_sslmode": [vars("pgbouncer_sslmode", "require")],
  "inventory/single-infra infra": [host("infra", "10.10.10.20", { infra_seq: 2 })],
};

describe("audit of a Pigsty inventory (the inventory checks, through runAudit as --inventory runs them)", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "pgwarden-audit-inventory-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("the weak inventory yields each planted finding and nothing else, with file:line evidence and no password", async () => {
    const file = join(FIXTURES, "weak.yml");
    const report = await auditInventory(file);
    assert.deepEqual(findingKeys(report), PLANTED);
    assert.deepEqual(report.notRun, []);
    assert.deepEqual(report.targets, [{ name: file, kind: "inventory", reachable: true }]);
    // What the fixture writes out is cited at its line; what it leaves to Pigsty names Pigsty's file and line.
    const text = await readFile(file, "utf8");
    const lineOf = (needle: string) => text.split("\n").findIndex((line) => line.includes(needle)) + 1;
    const admin = report.findings.find((finding) => finding.subject === "pg_admin_password");
    assert.deepEqual(admin?.evidence[0]?.source, { file, line: lineOf("pg_admin_password:") });
    assert.equal(admin?.severity, "critical");
    const patroni = report.findings.find((finding) => finding.subject === "patroni_password");
    assert.match(
      patroni?.evidence[0]?.value ?? "",
      /^the Pigsty default \(not set, so Pigsty's roles\/pgsql\/defaults\/main\.yml:69/,
    );
    const json = JSON.stringify(report);
    for (const secret of [
      "DBUser.DBA",
      "DBUser.Monitor",
      "DBUser.Replicator",
      "Patroni.API",
      "S3User.MinIO",
      "Etcd.Root",
    ])
      assert.ok(!json.includes(secret), `the report shows ${secret}`);
    // The SOC 2 table counts them: none of the controls they bear on is met.
    for (const control of ["A1.2", "CC9.1", "CC6.1", "CC6.6"])
      assert.notEqual(report.soc2.find((row) => row.control === control)?.status, "met", control);
  });

  test("each printed fix, applied to the inventory, makes its finding disappear and no other appear", async () => {
    const weak = await readFile(join(FIXTURES, "weak.yml"), "utf8");
    for (const planted of PLANTED) {
      const document = parseDocument(weak, { version: "1.1" });
      for (const edit of FIXES[planted] ?? assert.fail(`no fix for ${planted}`)) edit(document);
      const file = join(dir, "fixed.yml");
      await writeFile(file, document.toString());
      assert.deepEqual(
        findingKeys(await auditInventory(file)),
        PLANTED.filter((key) => key !== planted),
        `after the fix of ${planted}`,
      );
    }
  });

  test("the hardened inventory (every fix applied) yields no finding: every inventory check ran and passed", async () => {
    const report = await auditInventory(join(FIXTURES, "hardened.yml"));
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.notRun, []);
    const ran = report.checks.filter((run) => run.check.startsWith("inventory/"));
    assert.equal(ran.length, 11);
    assert.ok(ran.every((run) => run.passed));
  });
});
