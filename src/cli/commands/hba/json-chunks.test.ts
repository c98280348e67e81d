import assert from "node:assert/strict";
import { test } from "node:test";

import { jsonChunks } from "./json-chunks.js";

test("jsonChunks writes exactly JSON.stringify(document, null, 2) plus a line break, in pieces that end with a line break", () => {
  const items = Array.from({ length: 4_321 }, (_, index) => ({
    id: `x${index}`,
    nested: { list: [index, "a\nb"], empty: [] },
    none: undefined,
  }));
  const documents: [readonly unknown[], (all: unknown) => unknown][] = [
    [items, (all) => ({ source: "f", findings: all, after: { n: 1 } })],
    [items, (all) => ({ runs: [{ tool: { name: "t" }, results: all }] })],
    [[], (all) => ({ findings: all, count: 0 })],
    [[1, "two", null], (all) => all],
  ];
  for (const [list, place] of documents) {
    const pieces = [...jsonChunks(list, place)];
    assert.equal(pieces.join(""), `${JSON.stringify(place(list), null, 2)}\n`);
    for (const piece of pieces) assert.ok(piece.endsWith("\n"));
    if (list.length > 4_000) assert.ok(pieces.length >= 3, "a long array is written in several pieces");
  }
});

test("jsonChunks maps each item with `each` as it writes it", () => {
  const text = [
    ...jsonChunks(
      [1, 2],
      (all) => ({ all }),
      (n) => ({ n }),
    ),
  ].join("");
  assert.deepEqual(JSON.parse(text), { all: [{ n: 1 }, { n: 2 }] });
});
