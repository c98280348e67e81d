import { Command } from "commander";

import type { Noun } from "../../noun.js";

export const hbaNoun: Noun = {
  command: () =>
    new Command("hba")
      .summary("access rules: render, lint, explain, apply")
      .description(
        "Who can connect from where, and how they prove it: render rules from an inventory, lint and explain pg_hba.conf files, apply them safely.",
      ),
  verbs: {
    render: async () => (await import("./render.js")).hbaRenderCommand(),
    lint: async () => (await import("./lint.js")).hbaLintCommand(),
    explain: async () => (await import("./explain.js")).hbaExplainCommand(),
    apply: async () => (await import("./apply.js")).hbaApplyCommand(),
  },
};
