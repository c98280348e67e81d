import { Command } from "commander";
import { roleApplyCommand } from "./apply.js";
import { rolePlanCommand } from "./plan.js";

export function roleCommand(): Command {
  return new Command("role")
    .summary("roles and users: plan and apply the inventory's role model")
    .description("The four-tier role model, the system users and pg_users from a Pigsty inventory: plan the change against a live cluster, apply it in one transaction, passwords sent only as SCRAM verifiers.")
    .addCommand(rolePlanCommand())
    .addCommand(roleApplyCommand());
}
