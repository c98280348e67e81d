import assert from "node:assert/strict";
import { test } from "node:test";

import { loadInventory } from "../config/load-inventory.js";
import { renderHba } from "./render/index.js";
import { parseRendered, renderedFileName } from "./rendered-file.js";

/** Fixtures live in the source tree; this test runs from dist/src/hba/. */
const FIXTURES = new URL("../../../test/fixtures/pigsty/", import.meta.url);

test("a rendered file reads back rule for rule, each rule at its inventory line", async () => {
  const inventory = await loadInventory(new URL("safe.yml", FIXTURES).pathname);
  const rendered = renderHba(inventory, "pg-meta", { instance: "pg-meta-1", target: "pg" });
  assert.equal(renderedFileName(rendered), "pg-meta-1.pg_hba.conf");
  const file = await parseRendered(rendered, inventory.file);
  assert.deepEqual(file.errors, []);
  const active = rendered.rules.filter((rule) => rule.active);
  assert.equal(file.rules.length, active.length);
  assert.deepEqual(
    file.rules.map((rule) => rule.source),
    active.map((rule) => rule.source),
    "every rule of safe.yml is written in safe.yml",
  );
  // safe.yml:30 is `addr: localhost`: one rule object, three lines (local, 127.0.0.1, ::1).
  const localhost = file.rules.filter((rule) => rule.source.line === 30);
  assert.deepEqual(
    localhost.map((rule) => `${rule.type} ${rule.address ?? ""}`.trim()),
    ["local", "host 127.0.0.1/32", "host ::1/128"],
  );
  assert.equal(new Set(localhost.map((rule) => rule.source)).size, 3, "each rule has a location of its own");
});

test("rules commented out for the role are not read; built-in defaults keep their rendered line", async () => {
  const inventory = await loadInventory(new URL("trio.yml", FIXTURES).pathname);
  const rendered = renderHba(inventory, "pg-test", { instance: "pg-test-2", target: "pg" });
  const file = await parseRendered(rendered, inventory.file);
  const inactive = rendered.rules.filter((rule) => !rule.active);
  assert.ok(inactive.length > 0, "a replica has rules for other roles");
  assert.equal(file.rules.length, rendered.rules.length - inactive.length);
  const lines = rendered.text.split("\n");
  for (const rule of file.rules) {
    if (rule.source.file === inventory.file) {
      assert.ok(
        rendered.rules.some((each) => each.active && each.source?.line === rule.source.line),
        `${rule.text} comes from a rule object at that line`,
      );
      continue;
    }
    // pg-test has no pg_default_hba_rules: those come from Pigsty's defaults, pointed at in the rendered file.
    assert.equal(rule.source.file, "pg-test-2.pg_hba.conf");
    assert.equal(lines[rule.source.line - 1], rule.text, "the rendered line holds the rule");
  }
  assert.ok(file.rules.some((rule) => rule.source.file === inventory.file));
  assert.ok(file.rules.some((rule) => rule.source.file !== inventory.file));
});
