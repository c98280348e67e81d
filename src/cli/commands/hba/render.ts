import { Command } from "commander";

import { loadInventory } from "../../../config/load-inventory.js";
import { renderHba, type RenderTarget } from "../../../hba/render/index.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { addInventoryOptions, clusterLevelWarning } from "./source.js";

interface Options {
  inventory: string;
  cluster: string;
  instance?: string;
  target: RenderTarget;
}

export function hbaRenderCommand(): Command {
  const command = new Command("render").action(async (options: Options, cmd: Command) => {
    const ctx = contextOf(cmd);
    const inventory = await loadInventory(options.inventory);
    const rendered = renderHba(inventory, options.cluster, { instance: options.instance, target: options.target });
    // As lint and explain do: a cluster-level file has every role-specific rule commented out.
    const clusterLevel = rendered.instance ? [] : [clusterLevelWarning(options.cluster)];
    for (const warning of [...inventory.warnings, ...rendered.warnings, ...clusterLevel]) ctx.output.warn(warning);
    if (ctx.output.format === "json") {
      const { target, cluster, instance, pgRole, text } = rendered;
      // The rules' public fields: never the parser's model of a rule (its tokens).
      const rules = rendered.rules.map(({ line, title, active, role, order, source, fileLine }) => ({
        line,
        title: title ?? null,
        active,
        role,
        order,
        fileLine,
        source: source ?? null,
      }));
      ctx.output.json({ target, cluster, instance: instance ?? null, pgRole: pgRole ?? null, rules, text });
    } else ctx.output.data(rendered.text);
  });
  addInventoryOptions(command, true);
  return describe(command, {
    summary: "render pg_hba.conf (or pgb_hba.conf) from a Pigsty inventory",
    description: `Render the access rules of one instance the way Pigsty does: pg_default_hba_rules then pg_hba_rules
(pgb_default_hba_rules and pgb_hba_rules for --target pgbouncer), sorted by order, aliases such as infra, intra, admin,
\${dbsu} and auth ssl or cert expanded. Rules for another role than the instance's are written commented out and marked
[DISABLED]; without --instance (and more than one member) that is every role-specific rule, and a warning on stderr says so.
The file goes to stdout; with --format json, one document with every rule, its inventory file:line and
whether it is active. An unknown alias, auth or address fails (exit 3) naming the inventory line and the rule;
an unknown cluster or instance is exit 4. user and db are pg_hba fields, read as PostgreSQL reads them: a name with
a space, comma, # or " (or one that looks like a keyword, +group or @file) goes in double quotes, each " in it doubled
("o""brien"); a quote that never closes, an empty name and a name over 63 bytes (which no role or database can have)
fail with exit 3 and the inventory's file:line.`,
    examples: [
      "pgwarden hba render --inventory pigsty.yml --cluster pg-meta --instance pg-meta-1 > pg_hba.conf",
      "pgwarden hba render --inventory pigsty.yml --cluster pg-test --instance 10.10.10.21 --target pgbouncer",
      "pgwarden hba render --inventory pigsty.yml --cluster pg-meta --format json",
      `pgwarden hba render --inventory pigsty.yml --cluster pg-meta   # with pg_hba_rules: [{ user: '"o""brien"', addr: intra, auth: ssl }]`,
    ],
  });
}
