import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { holdsMarker } from "./lint-suppression-files.js";

const MIB = 1024 * 1024;

test("holdsMarker finds pgwarden:ignore anywhere, across the 1 MiB chunk boundary too, and nothing in a file without it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-marker-"));
  try {
    for (const at of [0, MIB - 5, MIB - 1, MIB, 2 * MIB + 3]) {
      const file = join(dir, `at-${at}.conf`);
      await writeFile(file, `${"#".repeat(at)}pgwarden:ignore md5-deprecated\n`);
      assert.equal(holdsMarker(file), true, `marker at byte ${at}`);
    }
    const none = join(dir, "none.conf");
    await writeFile(none, `${"pgwarden:ignor\n".repeat(200_000)}`);
    assert.equal(holdsMarker(none), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
