import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { clusterLevelWarning, loadHbaSource } from "./load-hba-source.js";

const dir = mkdtempSync(join(tmpdir(), "pgwarden-hba-source-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const hbaFile = join(dir, "pg_hba.conf");
writeFileSync(hbaFile, "host all all 10.0.0.0/8 scram-sha-256\n");
const inventoryFile = join(dir, "pigsty.yml");
writeFileSync(
  inventoryFile,
  `all:
  children:
    pg-test:
      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary }, 10.10.10.12: { pg_seq: 2, pg_role: replica } }
      vars: { pg_cluster: pg-test }
`,
);
const extras = { connect: { candidateRoots: [], warn: () => undefined } };

test("exactly one source: none, or two, is a usage error (exit 2) before anything is read or connected to", async () => {
  for (const request of [{}, { file: hbaFile, conn: "host=/nowhere" }, { file: hbaFile, inventory: inventoryFile }]) {
    await assert.rejects(
      loadHbaSource(request, extras),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.code === "hba-source" &&
        /exactly one of FILE, --conn/.test(error.message),
      JSON.stringify(request),
    );
  }
  for (const request of [
    { file: hbaFile, cluster: "pg-test" },
    { file: hbaFile, instance: "10.10.10.11" },
  ]) {
    await assert.rejects(
      loadHbaSource(request, extras),
      (error: unknown) =>
        error instanceof PgwardenError && /--cluster and --instance go with --inventory/.test(error.message),
    );
  }
  await assert.rejects(
    loadHbaSource({ inventory: inventoryFile }, extras),
    (error: unknown) => error instanceof PgwardenError && /--inventory needs --cluster NAME/.test(error.message),
  );
});

test("a file is its own label and has no context; an inventory's rules are rendered, with a warning when no instance is named", async () => {
  const fromFile = await loadHbaSource({ file: hbaFile }, { ...extras, lintContext: true });
  assert.equal(fromFile.label, hbaFile);
  assert.equal(fromFile.file.rules.length, 1);
  assert.deepEqual(fromFile.context, {});

  const cluster = await loadHbaSource(
    { inventory: inventoryFile, cluster: "pg-test" },
    { ...extras, lintContext: true },
  );
  assert.match(cluster.label, /rendered from .*pigsty\.yml$/);
  assert.ok(cluster.warnings.includes(clusterLevelWarning("pg-test")));
  assert.ok(cluster.context.superusers !== undefined);
  assert.equal(cluster.rendered?.instance, undefined);

  const instance = await loadHbaSource(
    { inventory: inventoryFile, cluster: "pg-test", instance: "10.10.10.11" },
    extras,
  );
  assert.equal(instance.rendered?.instance?.host, "10.10.10.11");
  assert.ok(!instance.warnings.includes(clusterLevelWarning("pg-test")));
  // Without lintContext the inventory's superusers are not worked out.
  assert.deepEqual(instance.context, {});
});
