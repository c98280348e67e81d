import type pg from "pg";

import { ExitCode, PgwardenError } from "../core/errors.js";
import { requireSuperuser } from "../pg/require-superuser.js";
import { INSUFFICIENT_PRIVILEGE } from "../pg/sqlstate.js";
import { planRoles, type RolePlan, type RolePlanOptions } from "./plan/plan-roles.js";
import { planScramIterations } from "./plan/scram-iterations.js";
import { readRoleCatalog } from "./role-catalog.js";
import type { RoleChange } from "./role-change.js";
import type { RoleModel } from "./role-model.js";

/**
 * Settings that keep the statements of the transaction (which carry verifiers) out of the
 * server log and pg_stat_statements: statement logging, duration logging (sampled too), the
 * STATEMENT line of an error, and pg_stat_statements' record of utility statements. Each is
 * set LOCAL, only when the server has it (pg_stat_statements' only when the library is loaded).
 */
const QUIET_SETTINGS: readonly (readonly [string, string])[] = [
  ["log_statement", "none"],
  ["log_min_duration_statement", "-1"],
  ["log_min_duration_sample", "-1"],
  ["log_transaction_sample_rate", "0"],
  ["log_min_error_statement", "panic"],
  ["pg_stat_statements.track_utility", "off"],
];

export interface RoleApplyOptions extends RolePlanOptions {
  /** Run changes that lock operators out (RoleChange.locksOut) too; without it they are refused (exit 1). */
  readonly force?: boolean;
}

export interface RoleApplyResult {
  readonly plan: RolePlan;
  /** The changes that ran, all in one committed transaction. */
  readonly applied: readonly RoleChange[];
}

const CONNECTION_ERROR = /^(08|28|57P)/;

function applyError(error: unknown, change: RoleChange | undefined): PgwardenError {
  const pgError = error as { code?: string; message?: string };
  const what = change ? ` at ${change.sql}` : "";
  const message = `role apply failed${what}: ${pgError.message ?? String(error)}; nothing was changed (the transaction was rolled back)`;
  if (pgError.code === INSUFFICIENT_PRIVILEGE)
    return new PgwardenError("role-apply-privilege", message, ExitCode.privilege, { cause: error });
  if (pgError.code === undefined || CONNECTION_ERROR.test(pgError.code))
    return new PgwardenError("role-apply-connection", message, ExitCode.connection, { cause: error });
  return new PgwardenError("role-apply-refused", message, ExitCode.config, { cause: error });
}

function lockoutRefusal(changes: readonly RoleChange[]): PgwardenError {
  const what = changes.map((change) => `${change.sql} (${change.locksOut ?? ""})`).join("; ");
  return new PgwardenError(
    "role-apply-locks-out",
    `role apply refused: ${what}; nothing was changed; rerun with --force if that is what you want`,
    ExitCode.checkFailed,
  );
}

/**
 * Plans and runs the change in one transaction: BEGIN, the quiet settings (LOCAL), the catalog
 * read and plan inside the transaction (so the plan is of the state it changes), each statement
 * on its own (so no statement is logged before the settings apply), COMMIT. Any error rolls
 * everything back and is reported with PostgreSQL's message and the masked statement:
 * exit 6 for a missing privilege, 5 for a lost connection, 3 for anything else refused. A plan
 * with changes that lock operators out is refused before any statement runs (exit 1) unless `force`.
 */
export async function applyRoles(
  client: pg.Client,
  model: RoleModel,
  options: RoleApplyOptions = {},
): Promise<RoleApplyResult> {
  // Before the server is asked anything, as the CLI's --scram-iterations is (planRoles checks it again).
  planScramIterations(options.scramIterations);
  await requireSuperuser(
    client,
    "applying roles creates and alters roles and keeps the statements out of the server log",
  );
  const known = await client.query<{ name: string }>(
    "SELECT name FROM pg_catalog.pg_settings WHERE name = ANY($1::text[])",
    [QUIET_SETTINGS.map(([name]) => name)],
  );
  const present = new Set(known.rows.map((row) => row.name));
  let running: RoleChange | undefined;
  try {
    await client.query("BEGIN");
    for (const [name, value] of QUIET_SETTINGS) {
      if (present.has(name)) await client.query("SELECT pg_catalog.set_config($1, $2, true)", [name, value]);
    }
    const plan = planRoles(model, await readRoleCatalog(client, model.privilegeOwners), options);
    const lockouts = plan.changes.filter((change) => change.locksOut !== undefined);
    if (lockouts.length > 0 && options.force !== true) throw lockoutRefusal(lockouts);
    for (const change of plan.changes) {
      running = change;
      await client.query(change.statement());
    }
    running = undefined;
    await client.query("COMMIT");
    return { plan, applied: plan.changes };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (error instanceof PgwardenError) throw error;
    throw applyError(error, running);
  }
}
