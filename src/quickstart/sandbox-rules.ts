import type { Inventory } from "../config/inventory.js";
import { ExitCode, PgwardenError } from "../core/errors.js";
import type { Finding } from "../core/finding.js";
import { inventoryLintContext } from "../hba/inventory-superusers.js";
import { lintRules } from "../hba/lint/run-lint.js";
import type { HbaRule } from "../hba/model.js";
import { type RenderedHba, renderHba } from "../hba/render/index.js";
import { parseRendered } from "../hba/rendered-file.js";
import { SANDBOX_CLUSTER } from "./sandbox-inventory.js";

/** The sandbox's access rules from the inventory: rendered for its one instance, parsed, and linted as `hba lint --inventory` lints them. */
export interface SandboxRules {
  readonly rendered: RenderedHba;
  readonly rules: readonly HbaRule[];
  readonly findings: readonly Finding[];
}

/**
 * Renders and lints the sandbox's rules, and refuses (exit 1) rules lint finds critical at the
 * inventory's line: hba apply would refuse them too, but in words for its own flags (--force) and
 * the rendered file's lines. Quickstart calls it before anything is made, and again before installing.
 */
export async function sandboxRules(inventory: Inventory, address: string): Promise<SandboxRules> {
  const rendered = renderHba(inventory, SANDBOX_CLUSTER, { target: "pg", instance: address });
  const parsed = await parseRendered(rendered, inventory.file);
  const { findings } = lintRules(parsed.rules, {
    ...inventoryLintContext(inventory, SANDBOX_CLUSTER, address),
    ssl: true,
  });
  const critical = findings.filter((finding) => finding.severity === "critical");
  const [first] = critical;
  if (first) {
    const more = critical.length > 1 ? ` (and ${critical.length - 1} more critical findings)` : "";
    throw new PgwardenError(
      "quickstart-hba-critical",
      `${first.source.file}:${first.source.line}: ${first.message} (${first.id}, critical)${more}: quickstart installs no rules lint finds critical; ` +
        `change that rule in ${inventory.file} and run quickstart again`,
      ExitCode.checkFailed,
    );
  }
  return { rendered, rules: parsed.rules, findings };
}
