import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";

import { GOLDEN_CASES as cases, normalizeRendered as normalize } from "../../../test/fixtures/pigsty/golden.js";
import { loadInventory } from "../../config/load-inventory.js";
import { renderHba } from "./render.js";

/** Fixtures live in the source tree; this test runs from dist/src/hba/render/. */
const FIXTURES = new URL("../../../../test/fixtures/pigsty/", import.meta.url);

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
  assert.match(
    rendered.warnings[0] ?? "",
    /safe\.yml:\d+: pg_default_hba_rules\[2\] \("replicator replication from localhost"\): auth ssl asks for TLS, but addr localhost is rendered as local and host lines/,
  );
});
