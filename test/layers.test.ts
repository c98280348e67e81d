import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DEPCRUISE = join(ROOT, "node_modules", ".bin", "depcruise");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

interface Cruise {
  readonly summary: {
    readonly violations: readonly {
      readonly rule: { readonly name: string };
      readonly from: string;
      readonly to: string;
    }[];
  };
}

/** Runs the project's dependency rules over `files` (path -> source) in a scratch tree. */
async function cruise(files: Record<string, string>): Promise<Cruise["summary"]["violations"]> {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-layers-"));
  try {
    await copyFile(CONFIG, join(dir, ".dependency-cruiser.cjs"));
    await copyFile(join(ROOT, "tsconfig.json"), join(dir, "tsconfig.json"));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    // depcruise exits non-zero on a violation; the JSON on stdout says which.
    const result = await run(DEPCRUISE, ["src", "--config", ".dependency-cruiser.cjs", "--output-type", "json"], {
      cwd: dir,
      maxBuffer: 16 * 2 ** 20,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
    return (JSON.parse(result.stdout) as Cruise).summary.violations;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("the real tree keeps its layers: no cycle, no feature importing cli, a core that knows no feature", async () => {
  const { stdout } = await run(DEPCRUISE, ["src", "test", "bench", "--config", CONFIG, "--output-type", "json"], {
    cwd: ROOT,
    maxBuffer: 64 * 2 ** 20,
  });
  const violations = (JSON.parse(stdout) as Cruise).summary.violations;
  assert.deepEqual(violations, []);
});

test("the dependency check fails on each kind of planted violation, naming the rule and the import", async () => {
  const violations = await cruise({
    "src/core/text.ts": 'import { issue } from "../pki/issue.js";\nexport const text = issue;\n',
    "src/pki/issue.ts": "export const issue = 1;\n",
    "src/hba/a.ts": 'import { b } from "./b.js";\nexport const a = b;\n',
    "src/hba/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
    "src/roles/plan.ts": 'import { main } from "../cli/main.js";\nexport const plan = main;\n',
    "src/cli/main.ts": "export const main = 1;\n",
    "src/config/schema.ts": 'import { plan } from "../roles/plan.js";\nexport const schema = plan;\n',
    "src/pg/connect.ts": 'import { x } from "../hba/explain.js";\nexport const connect = x;\n',
    "src/hba/explain.ts": "export const x = 1;\n",
    "src/unlayered/run.ts": 'import { issue } from "../pki/issue.js";\nexport const run = issue;\n',
  });
  const found = new Set(violations.map((violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`));
  for (const expected of [
    "core-imports-no-feature: src/core/text.ts -> src/pki/issue.ts",
    "no-cycles: src/hba/a.ts -> src/hba/b.ts",
    "nothing-imports-cli: src/roles/plan.ts -> src/cli/main.ts",
    "layer-config: src/config/schema.ts -> src/roles/plan.ts",
    "layer-pg: src/pg/connect.ts -> src/hba/explain.ts",
    "every-folder-has-a-layer: src/unlayered/run.ts -> src/pki/issue.ts",
  ]) {
    assert.ok(found.has(expected), `expected ${expected} among:\n${[...found].join("\n")}`);
  }
});
