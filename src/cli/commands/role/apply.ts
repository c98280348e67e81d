import { Command, Option } from "commander";

import { applyRoles } from "../../../roles/apply-roles.js";
import { withConnection } from "../../conn-url.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { addRoleOptions, countsText, planJson, planSql, prepareRoles, type RoleOptions } from "./common.js";

export function roleApplyCommand(): Command {
  const command = new Command("apply").action(async (options: RoleOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { model, planOptions } = await prepareRoles(ctx, options);
    const result = await withConnection(
      options.conn,
      (client) => applyRoles(client, model, { ...planOptions, force: options.force === true }),
      ctx,
    );
    const { plan } = result;
    for (const warning of plan.warnings) ctx.output.warn(warning);
    if (ctx.output.format === "json") return ctx.output.json(planJson(plan, { applied: result.applied.length }));
    if (result.applied.length === 0)
      return ctx.output.data(
        `no changes: the roles of ${plan.cluster} (database ${plan.database}) already match the inventory`,
      );
    ctx.output.data(
      `${planSql(plan)}\n-- applied ${result.applied.length} changes to ${plan.cluster} (database ${plan.database}) in one transaction: ${countsText(plan)}`,
    );
  });
  addRoleOptions(command);
  command.addOption(new Option("--force", "also run changes that lock operators out (see below); refused without it"));
  return describe(command, {
    summary: "make the roles what the inventory declares, in one transaction",
    description: `Plan as role plan does, inside one transaction, and run the change: BEGIN, statement logging,
duration logging and pg_stat_statements' record of utility statements turned off for the transaction (SET LOCAL),
each statement, COMMIT. Passwords are sent as SCRAM-SHA-256 verifiers computed by pgwarden (SASLprep, a random
16-byte salt, --scram-iterations), never as plaintext. Any error rolls everything back and is reported with
PostgreSQL's message: exit 6 for a missing privilege, 5 for a lost connection, 3 for anything else the server
refuses. Running it again changes nothing. The statements that ran are printed, each password as <masked>.
Changes that would lock operators out are refused with exit 1, naming the role and the change, and nothing is
changed, unless --force: for the bootstrap superuser (oid 10, usually postgres) and the role pgwarden is connected as
(current_user and session_user), NOLOGIN, NOSUPERUSER, a VALID UNTIL less than a day ahead, CONNECTION LIMIT 0 on a
role that is not a superuser after it (PostgreSQL does not apply the limit to superusers), and revoking the direct
membership through which the login role becomes the superuser it runs as. Another login superuser remaining does
not lift the refusal: pgwarden's own session and whoever connects as that role would still be cut off. DROP ROLE of
postgres, the bootstrap superuser, the system users or the connected role is refused always (exit 3), --force or not.
role plan shows such changes with a WARNING line (locksOut in --format json). Problems found before connecting (the
inventory, its passwords, the password policy) are all listed as role plan lists them, file:line:column: error: message
(every one in --format json), and nothing is changed (exit 3).`,
    exitNotes: ["1   a change would lock operators out and --force was not given; nothing was changed"],
    examples: [
      "PGPASSWORD=... pgwarden role apply --inventory pigsty.yml --cluster pg-meta --conn postgresql://postgres@10.10.10.10/postgres",
      "APP_PASSWORD=... pgwarden role apply --inventory pigsty.yml --cluster pg-meta --conn 'postgresql://postgres@10.10.10.10/postgres?sslmode=verify-full&sslrootcert=pki/ca/ca.crt' --format json",
      "PGPASSWORD=... pgwarden role apply --inventory pigsty.yml --cluster pg-meta --conn postgresql://dbuser_dba@10.10.10.10/postgres --force   # postgres: NOLOGIN",
    ],
  });
}
