/*
 * `hba lint` on a file of two million lines, through the real CLI: a file check (duplicates)
 * with hundreds of thousands of findings once overflowed the call stack (`push(...findings)`,
 * exit 70 "Maximum call stack size exceeded" from about 120,000). Peak memory for 1M against
 * 2M lines is measured by `npm run bench:hba-lines` (bench/RESULTS.md), not here.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

import { PGWARDEN_BIN, tempDir } from "./support/cli.js";

const LINES = 2_000_000;
/** Every sixth line is a rule; the rest are comments and blank lines, as in a large commented file. */
const RULE_EVERY = 6;

test("hba lint reads a file of two million lines with 333,333 duplicate rules and reports every duplicate, with no RangeError", async () => {
  const work = await tempDir("pgwarden-lint-large-");
  try {
    const file = join(work.dir, "pg_hba.conf");
    const handle = await open(file, "w");
    let batch: string[] = [];
    let rules = 0;
    for (let line = 1; line <= LINES; line++) {
      if (line % RULE_EVERY === 1) {
        batch.push("local all all peer");
        rules++;
      } else batch.push(line % 2 === 0 ? `# comment ${line}` : "");
      if (batch.length === 100_000) {
        await handle.write(`${batch.join("\n")}\n`);
        batch = [];
      }
    }
    await handle.write(batch.length > 0 ? `${batch.join("\n")}\n` : "");
    await handle.close();

    // The report is tens of megabytes: read it as it comes, keep the count and the end.
    const child = spawn(process.execPath, [PGWARDEN_BIN, "hba", "lint", file, "--fail-on", "low"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let duplicates = 0;
    let partial = "";
    let tail = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("  LOW      duplicate-rule: same rule as")) duplicates++;
      tail = (tail + chunk).slice(-2_000);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));

    assert.equal(stderr, "", "nothing on stderr (no internal error)");
    assert.equal(code, 1, "exit 1: findings at --fail-on low");
    assert.equal(duplicates, rules - 1, "every rule after the first is reported as its duplicate");
    assert.match(tail, new RegExp(`${rules} rules checked: ${rules - 1} findings \\(${rules - 1} low\\)\\n$`));
  } finally {
    await work.cleanup();
  }
});
