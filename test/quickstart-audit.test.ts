import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { pgwarden } from "./support/cli.js";

// Straight under the temp dir: the sandbox inside runs as the postgres account, which must enter it.
const dir = join(tmpdir(), `pgwarden-quickstart-audit-${randomBytes(4).toString("hex")}`);

after(async () => {
  await pgwarden(["sandbox", "down", "--dir", join(dir, "sandbox"), "--purge"]);
  await rm(dir, { recursive: true, force: true });
});

interface QuickstartAuditJson {
  readonly audit: {
    readonly html: string;
    readonly scores: {
      readonly overall: { readonly score: number };
      readonly layers: Record<string, { score: number }>;
    };
    readonly findings: Record<"critical" | "high" | "medium" | "low" | "info", number>;
    readonly notRun: number;
  };
}

test("quickstart ends with the audit of its sandbox: clean of critical and high, a score per layer, the HTML report beside its files", async () => {
  const json = await pgwarden(["quickstart", "--dir", dir, "--format", "json"], { timeoutMs: 240_000 });
  assert.equal(json.code, 0, json.stderr);
  const { audit } = JSON.parse(json.stdout) as QuickstartAuditJson;
  assert.equal(audit.html, join(dir, "audit.html"));
  assert.deepEqual(
    [audit.findings.critical, audit.findings.high],
    [0, 0],
    "no critical or high finding on the sandbox",
  );
  assert.equal(audit.notRun, 0, "as the superuser every check runs");
  assert.deepEqual(Object.keys(audit.scores.layers).sort(), ["access-control", "authentication", "data", "network"]);
  assert.equal((await stat(audit.html)).mode & 0o777, 0o600);
  const page = await readFile(audit.html, "utf8");
  assert.match(page, /<html/);
  assert.match(page, new RegExp(`aria-label="overall score ${audit.scores.overall.score} of 100"`));

  // The text form says the same, on a second run (which keeps everything else).
  const text = await pgwarden(["quickstart", "--dir", dir], { timeoutMs: 240_000 });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Audit of the sandbox \(pgwarden audit --pgdata, every check\): overall \d+\/100/);
  assert.match(
    text.stdout,
    /network security \d+\/100, authentication \d+\/100, access control \d+\/100, data security \d+\/100/,
  );
  assert.ok(text.stdout.includes(`  report: ${join(dir, "audit.html")}`), text.stdout);
});
