import { Command } from "commander";
import { hbaApplyCommand } from "./apply.js";
import { hbaExplainCommand } from "./explain.js";
import { hbaLintCommand } from "./lint.js";
import { hbaRenderCommand } from "./render.js";

export function hbaCommand(): Command {
  return new Command("hba")
    .summary("access rules: render, lint, explain, apply")
    .description("Who can connect from where, and how they prove it: render rules from an inventory, lint and explain pg_hba.conf files, apply them safely.")
    .addCommand(hbaRenderCommand())
    .addCommand(hbaLintCommand())
    .addCommand(hbaExplainCommand())
    .addCommand(hbaApplyCommand());
}
