import assert from "node:assert/strict";
import { test } from "node:test";

import { type Chunk, CHUNK_COST_ITERATIONS, WorkQueue } from "./work-queue.js";

const drain = (queue: WorkQueue): Chunk[] => {
  const chunks: Chunk[] = [];
  for (let chunk = queue.next(); chunk; chunk = queue.next()) chunks.push(chunk);
  return chunks;
};

test("every guess of every target is handed out exactly once, in order per target", () => {
  const targets = [
    { candidates: 1000, iterations: 4096 },
    { candidates: 7, iterations: 4096 },
    { candidates: 300, iterations: 100_000 },
    { candidates: 0, iterations: 4096 },
  ];
  const chunks = drain(new WorkQueue(targets, 2));
  targets.forEach((target, index) => {
    const own = chunks.filter((chunk) => chunk.target === index);
    let next = 0;
    for (const chunk of own) {
      assert.equal(chunk.from, next, "no gap, no overlap");
      assert.ok(chunk.to > chunk.from);
      next = chunk.to;
    }
    assert.equal(next, target.candidates);
  });
});

test("chunks cost about the same whatever the iterations, and shrink towards the end", () => {
  const chunks = drain(
    new WorkQueue(
      [
        { candidates: 5000, iterations: 4096 },
        { candidates: 100, iterations: 409_600 },
      ],
      2,
    ),
  );
  const cost = (chunk: Chunk) => (chunk.to - chunk.from) * (chunk.target === 0 ? 4096 : 409_600);
  assert.ok(chunks.every((chunk) => cost(chunk) <= Math.max(CHUNK_COST_ITERATIONS, 409_600)));
  assert.equal(chunks[0]!.to - chunks[0]!.from, CHUNK_COST_ITERATIONS / 4096);
  assert.equal(
    chunks.find((chunk) => chunk.target === 1)!.to - chunks.find((chunk) => chunk.target === 1)!.from,
    1,
    "one slow guess is already a full chunk",
  );
});

test("the tail is cut finer, so the workers finish together", () => {
  const sizes = drain(new WorkQueue([{ candidates: 1000, iterations: 4096 }], 2)).map((chunk) => chunk.to - chunk.from);
  assert.equal(sizes[0], 64);
  assert.ok(sizes.at(-1)! <= 2, String(sizes));
  const shrinking = sizes.slice(sizes.findIndex((size) => size < 64));
  assert.ok(shrinking.length > 8);
  assert.ok(
    shrinking.every((size, index) => index === 0 || size <= shrinking[index - 1]!),
    String(shrinking),
  );
});

test("round robin over the targets, and nothing more for a cracked target", () => {
  const queue = new WorkQueue(
    [
      { candidates: 1000, iterations: 4096 },
      { candidates: 1000, iterations: 4096 },
      { candidates: 1000, iterations: 4096 },
    ],
    2,
  );
  assert.deepEqual(
    [queue.next()!.target, queue.next()!.target, queue.next()!.target, queue.next()!.target],
    [0, 1, 2, 0],
  );
  assert.equal(queue.crack(1), 1000 - 64, "the rest of target 1 is skipped");
  assert.equal(queue.crack(1), 0, "cracking twice skips nothing more");
  const rest = drain(queue);
  assert.ok(rest.every((chunk) => chunk.target !== 1));
  assert.equal(
    rest.reduce((sum, chunk) => sum + chunk.to - chunk.from, 0),
    3000 - 4 * 64 - (1000 - 64),
  );
});
