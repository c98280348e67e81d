import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { loadInventory } from "../../config/load-inventory.js";
import { renderHba, type RenderTarget } from "./render.js";

/** Fixtures live in the source tree; this test runs from dist/src/hba/render/. */
const FIXTURES = new URL("../../../../test/fixtures/pigsty/", import.meta.url);

const TITLE = /^# .*\[(default|common|primary|replica|offline|standby|delayed)\](\s+\[DISABLED\])?\s*$/;
const RULE = /^#?(local|host|hostssl|hostnossl|hostgssenc|hostnogssenc)\s/;
/** Header fields (`# Desc      :   ... [primary]`) are not titles. */
const HEADER_FIELD = /^# \w+\s+:/;

/** The lines that matter: rule titles and rules (active or commented out), whitespace collapsed. */
function normalize(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => (TITLE.test(line) && !HEADER_FIELD.test(line)) || RULE.test(line))
    .map((line) => line.replace(/\s+/g, " ").trim());
}

const cases: [inventory: string, cluster: string, instance: string, target: RenderTarget, golden: string][] = [
  ["trio.yml", "pg-meta", "pg-meta-1", "pg", "default.pg-meta-1.pg_hba.conf"],
  ["trio.yml", "pg-meta", "10.10.10.12", "pgbouncer", "default.pg-meta-3.pgb_hba.conf"],
  ["safe.yml", "pg-meta", "pg-meta-1", "pg", "safe.pg-meta-1.pg_hba.conf"],
  ["safe.yml", "pg-meta", "pg-meta-1", "pgbouncer", "safe.pg-meta-1.pgb_hba.conf"],
  ["trio.yml", "pg-test", "pg-test-1", "pg", "business.pg-test-1.pg_hba.conf"],
  ["trio.yml", "pg-test", "pg-test-2", "pg", "business.pg-test-2.pg_hba.conf"],
  ["trio.yml", "pg-test", "pg-test-3", "pg", "business.pg-test-3.pg_hba.conf"],
  ["trio.yml", "pg-test", "pg-test-4", "pg", "business.pg-test-4.pg_hba.conf"],
  ["trio.yml", "pg-test", "pg-test-1", "pgbouncer", "business.pg-test-1.pgb_hba.conf"],
  ["trio.yml", "pg-test", "pg-test-3", "pgbouncer", "business.pg-test-3.pgb_hba.conf"],
];

for (const [inventoryFile, cluster, instance, target, golden] of cases) {
  test(`${inventoryFile} ${instance} ${target} renders the rules Pigsty renders (${golden})`, async () => {
    const inventory = await loadInventory(new URL(inventoryFile, FIXTURES).pathname);
    const rendered = renderHba(inventory, cluster, { instance, target });
    const expected = normalize(await readFile(new URL(golden, FIXTURES), "utf8"));
    assert.ok(expected.length > 10, "the golden file has rules");
    assert.deepEqual(normalize(rendered.text), expected);
  });
}

test("the hardened set keeps Pigsty's local lines for localhost + ssl, and says so", async () => {
  const inventory = await loadInventory(new URL("safe.yml", FIXTURES).pathname);
  const rendered = renderHba(inventory, "pg-meta", { instance: "pg-meta-1", target: "pg" });
  assert.equal(rendered.warnings.length, 2);
  assert.match(rendered.warnings[0] ?? "", /safe\.yml:\d+: pg_default_hba_rules\[2\] \("replicator replication from localhost"\): auth ssl asks for TLS, but addr localhost is rendered as local and host lines/);
});
