import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { PGWARDEN_BIN, tempDir } from "./support/cli.js";

test("a reader that closes stdout early (pgwarden ... | head) ends pgwarden quietly, as SIGPIPE would", async () => {
  const { dir, cleanup } = await tempDir("pgwarden-pipe-");
  try {
    // Far more findings than a pipe holds, so pgwarden is still writing when the reader goes.
    const rules = Array.from({ length: 3000 }, (_, i) => `host all all 10.${i >> 8}.${i & 255}.0/24 trust`).join("\n");
    const file = join(dir, "pg_hba.conf");
    await writeFile(file, `${rules}\n`);
    const child = spawn(process.execPath, [PGWARDEN_BIN, "hba", "lint", file], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", (exit) => resolve(exit)));
    assert.equal(code, 141, stderr);
    assert.equal(stderr, "", "nothing on stderr: no EPIPE, no stack trace");
  } finally {
    await cleanup();
  }
});
