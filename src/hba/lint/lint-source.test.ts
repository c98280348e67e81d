import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { parseHbaText } from "../parse/index.js";
import { type LintedSource, lintSource, type LintSourceIo } from "./lint-source.js";
import type { BaselineEntry } from "./suppress.js";

const TEXT =
  "host all all 0.0.0.0/0 trust  # pgwarden:ignore no-such-check\nhost all all 10.0.0.0/8 md5\nhostx broken\n";
const LINES = TEXT.split("\n");

async function io(overrides: Partial<LintSourceIo<LintedSource>> = {}) {
  const file = await parseHbaText(TEXT, "pg_hba.conf");
  const notes: string[] = [];
  const written: Finding[][] = [];
  const calls: string[] = [];
  const value: LintSourceIo<LintedSource> = {
    load: () => {
      calls.push("load");
      return Promise.resolve({ label: "pg_hba.conf", file, context: {} });
    },
    readBaseline: () => {
      calls.push("readBaseline");
      return Promise.resolve([]);
    },
    writeBaseline: (_path, findings) => {
      written.push([...findings]);
      return Promise.resolve();
    },
    linesOf: () => (name) => (name === "pg_hba.conf" ? LINES : undefined),
    onWarning: (message) => notes.push(`warn: ${message}`),
    onInfo: (message) => notes.push(`info: ${message}`),
    ...overrides,
  };
  return { value, notes, written, calls };
}

test("lint puts parse errors first, warns about an inline ignore naming no check, and fails at --fail-on", async () => {
  const { value, notes } = await io();
  const result = await lintSource({ fileArgument: "pg_hba.conf", failOn: "high" }, value);
  assert.equal(result.findings[0]?.id, "parse-error");
  assert.ok(result.findings.some((finding) => finding.id === "trust-from-network"));
  assert.equal(result.fails, true);
  assert.deepEqual(notes, [
    "warn: pg_hba.conf:1: pgwarden:ignore names no-such-check, which is no check (see hba lint --list-checks)",
  ]);
  assert.equal(
    (await lintSource({ failOn: "critical", ignore: ["parse-error", "trust-from-network"] }, value)).fails,
    false,
  );
});

test("an unknown --ignore is refused (exit 2) before the baseline or the rules are read", async () => {
  const { value, calls } = await io();
  await assert.rejects(
    lintSource({ ignore: ["nope"], baseline: "b.json", failOn: "high" }, value),
    (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && error.code === "lint-ignore-unknown",
  );
  assert.deepEqual(calls, []);
});

test("--write-baseline accepts everything not otherwise accepted: written, and then none of it counts", async () => {
  const { value, notes, written } = await io();
  const result = await lintSource({ writeBaseline: "b.json", ignore: ["md5-deprecated"], failOn: "info" }, value);
  assert.equal(written.length, 1);
  assert.ok(written[0]?.every((finding) => finding.id !== "md5-deprecated"));
  assert.deepEqual(result.findings, []);
  assert.equal(result.fails, false);
  assert.ok(result.suppressed.some((finding) => finding.suppressedBy === "baseline"));
  assert.ok(result.suppressed.some((finding) => finding.suppressedBy === "ignore"));
  assert.equal(notes.at(-1), `info: wrote ${written[0]?.length} findings to the baseline b.json`);
});

test("a baseline entry that matches nothing is reported stale", async () => {
  const stale: BaselineEntry = { id: "trust-from-network", fingerprint: "0".repeat(64) };
  const { value } = await io({ readBaseline: () => Promise.resolve([stale]) });
  const result = await lintSource({ baseline: "b.json", failOn: "high" }, value);
  assert.deepEqual(result.staleBaseline, [stale]);
});
