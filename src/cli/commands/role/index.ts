import { Command } from "commander";

import type { Noun } from "../../noun.js";

export const roleNoun: Noun = {
  command: () =>
    new Command("role")
      .summary("roles and users: plan and apply the inventory's role model")
      .description(
        "The four-tier role model, the system users and pg_users from a Pigsty inventory: plan the change against a live cluster, apply it in one transaction, passwords sent only as SCRAM verifiers.",
      ),
  verbs: {
    plan: async () => (await import("./plan.js")).rolePlanCommand(),
    apply: async () => (await import("./apply.js")).roleApplyCommand(),
  },
};
