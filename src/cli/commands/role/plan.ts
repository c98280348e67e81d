import { Command } from "commander";

import { planRolesOnServer } from "../../../roles/plan-on-server.js";
import { withConnection } from "../../conn-url.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { addRoleOptions, planJson, planText, prepareRoles, type RoleOptions } from "./common.js";

export function rolePlanCommand(): Command {
  const command = new Command("plan").action(async (options: RoleOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { model, planOptions } = await prepareRoles(ctx, options);
    const plan = await withConnection(options.conn, (client) => planRolesOnServer(client, model, planOptions), ctx);
    for (const warning of plan.warnings) ctx.output.warn(warning);
    if (ctx.output.format === "json") return ctx.output.json(planJson(plan));
    if (plan.changes.length === 0)
      return ctx.output.data(
        `no changes: the roles of ${plan.cluster} (database ${plan.database}) match the inventory`,
      );
    ctx.output.data(planText(plan, options));
  });
  addRoleOptions(command);
  return describe(command, {
    summary: "show the role changes the inventory asks for, as SQL (passwords masked); role apply runs them",
    description: `Compare the roles an inventory declares (Pigsty's pg_default_roles unless it sets its own, the system
users with pg_admin_password, pg_monitor_password and pg_replication_password, then pg_users) with the live catalog,
and print the minimal, ordered change as SQL: roles to create, attributes that differ, parameters, comments,
memberships, default privileges FOR ROLE the dbsu, the admin user and dbrole_admin, REVOKE CREATE ON SCHEMA public,
and DROP ROLE for state: absent. An attribute the inventory leaves out is left as it is. Passwords are compared with
the stored verifier (the same password plans nothing) and shown as <masked>, which is not SQL: the text is for
reading, not a script (psql -f fails at the first masked password and, inside the plan's BEGIN ... COMMIT, changes
nothing); the plan says how to apply it, with pgwarden role apply and the same flags. In --format json each change
has masksPassword: true when its sql masks a password. Every plaintext password is checked
first: passwordcheck's rules, --min-length, --require-classes, --denylist and Pigsty's published defaults; any
violation fails with exit 3 before anything reaches the server. Every violation (and every inventory problem) is
listed, one a line, as compilers print them: file:line:column: error: role: ... (rule ID), at the line of the
inventory where the password is set; a Pigsty default the inventory leaves unset (pg_admin_password, the roles of
pg_default_roles) is placed at the entry of the cluster it comes into force for (pg-test:), and the message names
Pigsty's roles/pgsql/defaults/main.yml. A role named twice in pg_users (or in pg_default_roles) is an error at each
entry (rule duplicate-role: Pigsty's pgsql.yml applies every entry, the last password winning, bin/pgsql-user only the
first), and the password of every entry is checked, not only the last one's; a pg_users entry that redeclares a role
of pg_default_roles is a warning at both places (rule overrides-default-role: Pigsty applies pg_users last, so it
wins), which alone does not stop the plan. A role name PostgreSQL would refuse (starting with pg_, public, none,
over 63 bytes) or a session keyword (current_user, current_role, session_user) is refused at its line with exit 3
before any connection.
A single problem is one line. In --format json the problems are in the error object
on stderr: {"error": {code, message, exitCode, problems: [{file, line, column, path, severity, message, rule}]}}. Default privileges and
the public schema are those of the database --conn names. A change that would lock operators out (the bootstrap
superuser or the connected role losing LOGIN or SUPERUSER, a VALID UNTIL less than a day ahead, ...; see role apply
--help) gets a -- WARNING line and a warning on stderr, and locksOut (the reason) in --format json: role apply
refuses it without --force. Nothing is changed.`,
    examples: [
      "PGPASSWORD=... pgwarden role plan --inventory pigsty.yml --cluster pg-meta --conn postgresql://postgres@10.10.10.10/postgres",
      "pgwarden role plan --inventory pigsty.yml --cluster pg-meta --conn 'postgresql://postgres@10.10.10.10/postgres?sslmode=verify-full&sslrootcert=pki/ca/ca.crt' --format json",
      "pgwarden role plan --inventory pigsty.yml --cluster pg-meta --conn postgresql://postgres@10.10.10.10/postgres --min-length 14 --require-classes lower,upper,digit",
      "PGHOST=10.10.10.10 PGSSLMODE=verify-full PGSSLROOTCERT=pki/ca/ca.crt pgwarden role plan --inventory pigsty.yml --cluster pg-meta   # no --conn: PG* as psql",
      "pgwarden role plan --inventory pigsty.yml --cluster pg-meta --conn postgresql://postgres@10.10.10.10/postgres --format json 2>&1 >/dev/null | jq -r '.error.problems[]? | \"\\(.file):\\(.line): \\(.message)\"'",
      'pgwarden role plan --inventory pigsty.yml --cluster pg-meta --conn postgresql://postgres@10.10.10.10/postgres --format json 2>&1 >/dev/null | jq -r \'.error.problems[]? | select(.rule == "duplicate-role") | "\\(.file):\\(.line):\\(.column)"\'   # users named twice',
    ],
  });
}
