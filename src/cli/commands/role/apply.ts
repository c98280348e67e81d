import { Command } from "commander";
import { applyRoles } from "../../../roles/apply-roles.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { withConnection } from "../../conn-url.js";
import { addRoleOptions, countsText, planJson, planSql, prepareRoles, type RoleOptions } from "./common.js";

export function roleApplyCommand(): Command {
  const command = new Command("apply").action(async (options: RoleOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { model, planOptions } = await prepareRoles(ctx, options);
    const result = await withConnection(options.conn, (client) => applyRoles(client, model, planOptions));
    const { plan } = result;
    for (const warning of plan.warnings) ctx.output.warn(warning);
    if (ctx.output.format === "json") return ctx.output.json(planJson(plan, { applied: result.applied.length }));
    if (result.applied.length === 0) return ctx.output.data(`no changes: the roles of ${plan.cluster} (database ${plan.database}) already match the inventory`);
    ctx.output.data(`${planSql(plan)}\n-- applied ${result.applied.length} changes to ${plan.cluster} (database ${plan.database}) in one transaction: ${countsText(plan)}`);
  });
  addRoleOptions(command);
  return describe(command, {
    summary: "make the roles what the inventory declares, in one transaction",
    description: `Plan as role plan does, inside one transaction, and run the change: BEGIN, statement logging,
duration logging and pg_stat_statements' record of utility statements turned off for the transaction (SET LOCAL),
each statement, COMMIT. Passwords are sent as SCRAM-SHA-256 verifiers computed by pgwarden (SASLprep, a random
16-byte salt, --scram-iterations), never as plaintext. Any error rolls everything back and is reported with
PostgreSQL's message: exit 6 for a missing privilege, 5 for a lost connection, 3 for anything else the server
refuses. Running it again changes nothing. The statements that ran are printed, each password as <masked>.`,
    examples: [
      "PGPASSWORD=... pgwarden role apply --inventory pigsty.yml --cluster pg-meta --conn postgresql://postgres@10.10.10.10/postgres",
      "APP_PASSWORD=... pgwarden role apply --inventory pigsty.yml --cluster pg-meta --conn 'postgresql://postgres@10.10.10.10/postgres?sslmode=verify-full&sslrootcert=pki/ca/ca.crt' --format json",
    ],
  });
}
