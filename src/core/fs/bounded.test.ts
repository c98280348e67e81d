import assert from "node:assert/strict";
import { test } from "node:test";

import { Limiter, mapBounded } from "./bounded.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("mapBounded keeps the items' order and never runs more than its limit at once", async () => {
  let running = 0;
  let peak = 0;
  const results = await mapBounded(
    Array.from({ length: 50 }, (_, i) => i),
    async (item) => {
      running++;
      peak = Math.max(peak, running);
      for (let i = 0; i < (item % 5) + 1; i++) await tick();
      running--;
      return item * 2;
    },
    7,
  );
  assert.deepEqual(
    results,
    Array.from({ length: 50 }, (_, i) => i * 2),
  );
  assert.equal(peak, 7);
});

test("a Limiter shared by callers holds them all under one limit, and frees a slot when a task fails", async () => {
  const limiter = new Limiter(3);
  let running = 0;
  let peak = 0;
  const task = (fail: boolean) =>
    limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      if (fail) throw new Error("boom");
      return 1;
    });
  const outcomes = await Promise.allSettled([
    ...Array.from({ length: 10 }, (_, i) => task(i % 4 === 0)),
    ...Array.from({ length: 10 }, () => task(false)),
  ]);
  assert.equal(peak, 3);
  assert.equal(outcomes.filter((outcome) => outcome.status === "rejected").length, 3);
  assert.equal(await task(false), 1, "every slot came back");
});
