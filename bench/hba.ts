/*
 * npm run bench:hba — lints a generated 10,000-rule pg_hba.conf with every check, shadow and
 * duplicate analysis included: in-process (parse + lint, median of several runs) and through
 * the real CLI (`pgwarden hba lint FILE --format json` in a child process, start-up included).
 * Target: under 1 s.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { DEFAULT_SUPERUSERS, lintRules } from "../src/hba/lint/run-lint.js";
import { parseHbaText } from "../src/hba/parse/index.js";
import { generateHbaFile } from "./hba-file.js";

const RULES = 10_000;
const IN_PROCESS_RUNS = 7;
const CLI_RUNS = 5;
const TARGET_SECONDS = 1;

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function inProcess(
  text: string,
  file: string,
): Promise<{ parse: number; lint: number; total: number; first: number; rules: number; findings: number }> {
  const runs: { parse: number; lint: number; rules: number; findings: number }[] = [];
  for (let run = 0; run < IN_PROCESS_RUNS; run++) {
    const started = performance.now();
    const parsed = await parseHbaText(text, file);
    const parsedAt = performance.now();
    const result = lintRules(parsed.rules, { superusers: [...DEFAULT_SUPERUSERS], ssl: true });
    const done = performance.now();
    runs.push({
      parse: parsedAt - started,
      lint: done - parsedAt,
      rules: result.rulesChecked,
      findings: result.findings.length,
    });
  }
  const totals = runs.map((run) => run.parse + run.lint);
  const last = runs[runs.length - 1] as { rules: number; findings: number };
  return {
    parse: median(runs.map((run) => run.parse)),
    lint: median(runs.map((run) => run.lint)),
    total: median(totals),
    first: totals[0] ?? 0,
    rules: last.rules,
    findings: last.findings,
  };
}

function throughCli(file: string): { seconds: number[]; findings: number; shadowed: number; duplicates: number } {
  const bin = fileURLToPath(new URL("../../bin/pgwarden.js", import.meta.url));
  const seconds: number[] = [];
  let report: { findings: { id: string }[] } = { findings: [] };
  for (let run = 0; run < CLI_RUNS; run++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, [bin, "hba", "lint", file, "--format", "json"], {
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    seconds.push((performance.now() - started) / 1000);
    // Exit 1: the file has findings at or above high, as it should.
    if (child.status !== 0 && child.status !== 1)
      throw new Error(`pgwarden hba lint exited ${child.status}: ${child.stderr}`);
    report = JSON.parse(child.stdout) as typeof report;
  }
  const count = (id: string) => report.findings.filter((finding) => finding.id === id).length;
  return {
    seconds,
    findings: report.findings.length,
    shadowed: count("shadowed-rule"),
    duplicates: count("duplicate-rule"),
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-bench-hba-"));
  try {
    const generated = generateHbaFile(RULES);
    const file = join(dir, "pg_hba.conf");
    await writeFile(file, generated.text);
    const local = await inProcess(generated.text, file);
    const cli = throughCli(file);
    const cliMedian = median(cli.seconds);
    console.log(
      `machine: ${cpus()[0]?.model ?? "unknown"}, ${availableParallelism()} threads, node ${process.version}`,
    );
    console.log(
      `file: ${local.rules} rules (${generated.shadowed} planted shadowed, ${generated.duplicates} planted duplicates), ${(generated.text.length / 1024).toFixed(0)} KiB`,
    );
    console.log(
      `in-process, median of ${IN_PROCESS_RUNS}: parse ${local.parse.toFixed(1)} ms + lint (all checks, shadow and duplicate analysis) ${local.lint.toFixed(1)} ms = ${local.total.toFixed(1)} ms (first, cold run ${local.first.toFixed(1)} ms), ${local.findings} findings`,
    );
    console.log(
      `pgwarden hba lint FILE --format json, end to end (${CLI_RUNS} runs): ${cli.seconds.map((value) => `${value.toFixed(2)} s`).join(", ")}; median ${cliMedian.toFixed(2)} s`,
    );
    console.log(
      `findings from the CLI: ${cli.findings} (${cli.shadowed} shadowed-rule, ${cli.duplicates} duplicate-rule)`,
    );
    // Fast is worth nothing if the analysis misses what was planted.
    const found = cli.shadowed >= generated.shadowed && cli.duplicates >= generated.duplicates;
    if (!found)
      console.log(
        `the lint missed planted rules: ${generated.shadowed} shadowed and ${generated.duplicates} duplicates planted`,
      );
    const met = found && cliMedian < TARGET_SECONDS && local.total / 1000 < TARGET_SECONDS;
    console.log(`target ${TARGET_SECONDS} s for a ${RULES}-rule file, end to end: ${met ? "met" : "NOT met"}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
