import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { PgwardenError } from "../errors.js";
import { readInputFile } from "./read-input.js";

test("a missing file is exit 4 and a directory exit 2, each naming what the file was for", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-read-input-"));
  try {
    await assert.rejects(
      readInputFile(join(dir, "nope.txt"), "wordlist"),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.exitCode === 4 &&
        /^wordlist .*nope\.txt does not exist$/.test(error.message),
    );
    await assert.rejects(
      readInputFile(dir, "denylist"),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.exitCode === 2 &&
        /^denylist .* is a directory: give a file$/.test(error.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a path under a file is not found (exit 4), not an internal error", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-read-input-"));
  try {
    await writeFile(join(dir, "a-file"), "x");
    await assert.rejects(
      readInputFile(join(dir, "a-file", "inside.txt"), "CN file"),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.exitCode === 4 &&
        /^CN file .*a-file\/inside\.txt does not exist$/.test(error.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
