import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { pgwarden, tempDir } from "./support/cli.js";
import { freePort } from "./support/pg-cluster.js";

interface FleetJson extends AuditJson {
  readonly targets: readonly (AuditJson["targets"][number] & {
    readonly kind: string;
    readonly cluster?: string;
    readonly user?: string;
  })[];
}

let first: AuditedCluster;
let second: AuditedCluster;
let work: { dir: string; cleanup: () => Promise<void> };
let inventoryFile: string;
let passfile: string;

before(async () => {
  [first, second] = await Promise.all([startAuditedCluster(), startAuditedCluster()]);
  work = await tempDir("pgwarden-audit-fleet-");
  const dead = await freePort();
  inventoryFile = join(work.dir, "pigsty.yml");
  // Hosts named by name, reached at ansible_host:pg_port, as Pigsty inventories may name them.
  await writeFile(
    inventoryFile,
    `all:
  vars:
    pg_admin_username: auditor
  children:
    pg-meta:
      hosts:
        db1: { pg_seq: 1, pg_role: primary, ansible_host: 127.0.0.1, pg_port: ${first.cluster.port} }
        db2: { pg_seq: 2, pg_role: replica, ansible_host: 127.0.0.1, pg_port: ${second.cluster.port} }
      vars: { pg_cluster: pg-meta }
    pg-test:
      hosts:
        db3: { pg_seq: 1, pg_role: primary, ansible_host: 127.0.0.1, pg_port: ${dead} }
      vars: { pg_cluster: pg-test }
`,
  );
  // The passwords from a passfile, as libpq reads ~/.pgpass: never in argv, never in the template.
  passfile = join(work.dir, "pgpass");
  await writeFile(
    passfile,
    [first, second]
      .map((cluster) => `127.0.0.1:${cluster.cluster.port}:*:auditor:${cluster.env.PGPASSWORD}\n`)
      .join(""),
    { mode: 0o600 },
  );
});

after(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await work?.cleanup();
});

test("--inventory with --conn-template: every instance audited concurrently into one report, the dead host a finding, progress on stderr", async () => {
  const result = await pgwarden(
    [
      "audit",
      "--inventory",
      inventoryFile,
      "--conn-template",
      "host={host} port={port} user={user} dbname=postgres connect_timeout=2 application_name=audit-{instance}",
      "--format",
      "json",
      "--fail-on",
      "critical",
    ],
    { env: { PGPASSFILE: passfile }, cwd: work.dir },
  );
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const report = JSON.parse(result.stdout) as FleetJson;
  assert.deepEqual(
    report.targets.map((target) => [target.name, target.kind, target.reachable, target.cluster ?? null]),
    [
      ["pg-meta-1", "server", true, "pg-meta"],
      ["pg-meta-2", "server", true, "pg-meta"],
      ["pg-test-1", "server", false, "pg-test"],
      [inventoryFile, "inventory", true, null],
    ],
  );
  for (const name of ["pg-meta-1", "pg-meta-2"]) {
    assert.ok(
      report.checks.some((check) => check.target === name && check.check === "tls/ssl-off"),
      `${name} audited`,
    );
    assert.ok(report.findings.some((finding) => finding.target === name && finding.id === "tls/ssl-off"));
  }
  const unreachable = report.findings.filter((finding) => finding.id === "target/unreachable");
  assert.deepEqual(
    unreachable.map((finding) => finding.target),
    ["pg-test-1"],
  );
  assert.match(result.stderr, /audit: 4\/4 \(100%\)/);
});

test("--inventory without a template reaches each host by ansible_host, pg_port and pg_admin_username; --cluster keeps one cluster", async () => {
  const result = await pgwarden(
    ["audit", "--inventory", inventoryFile, "--cluster", "pg-meta", "--format", "json", "--fail-on", "critical"],
    { env: { PGPASSFILE: passfile, PGCONNECT_TIMEOUT: "2" }, cwd: work.dir },
  );
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const report = JSON.parse(result.stdout) as FleetJson;
  assert.deepEqual(
    report.targets.map((target) => [target.name, target.reachable, target.user ?? null]),
    [
      ["pg-meta-1", true, "auditor"],
      ["pg-meta-2", true, "auditor"],
      [inventoryFile, true, null],
    ],
  );
  assert.equal(
    report.findings.filter((finding) => finding.id === "target/unreachable").length,
    0,
    "both instances reached",
  );
});

test("--pgdata with an inventory of several instances is refused before any connection (exit 2)", async () => {
  const result = await pgwarden(["audit", "--inventory", inventoryFile, "--pgdata", first.cluster.dataDir], {
    env: { PGPASSFILE: passfile },
    cwd: work.dir,
  });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /--pgdata is the data directory of one server, but 3 servers/);
  assert.equal(result.stdout, "");
});
