import { type Command, Option } from "commander";

import { loadInventory } from "../../../config/load-inventory.js";
import { problemPlace } from "../../../config/problem-list.js";
import { usageError } from "../../../core/errors.js";
import { readInputFile } from "../../../core/fs/read-input.js";
import { shellWord } from "../../../pki/trust/conninfo.js";
import { parseWordlist } from "../../../roles/audit/candidates/wordlist.js";
import { checkDeclaredPasswords } from "../../../roles/declared-password-policy.js";
import {
  CHARACTER_CLASSES,
  type CharacterClass,
  DEFAULT_MIN_PASSWORD_LENGTH,
  type PasswordPolicy,
} from "../../../roles/password-policy.js";
import type { RolePlan, RolePlanOptions } from "../../../roles/plan/plan-roles.js";
import type { RoleChangeKind } from "../../../roles/role-change.js";
import { MASKED_PASSWORD } from "../../../roles/role-change.js";
import { desiredRoleModel, type RoleModel } from "../../../roles/role-model.js";
import { DEFAULT_SCRAM_ITERATIONS, MAX_SCRAM_ITERATIONS } from "../../../roles/scram.js";
import { CONN_FORMS_HELP, connOption } from "../../conn-url.js";
import type { CommandContext } from "../../context.js";
import { integerFlag } from "../../number-flags.js";

/** A sanity bound for --min-length, in characters. */
const MAX_MIN_LENGTH_CHARACTERS = 1024;

export interface RoleOptions {
  inventory: string;
  cluster: string;
  conn?: string;
  scramIterations?: number;
  minLength?: number;
  requireClasses?: string;
  denylist?: string;
  /** role apply only: run changes that lock operators out. */
  force?: boolean;
}

/** --inventory, --cluster, --conn, --scram-iterations and the password policy flags, shared by plan and apply. */
export function addRoleOptions(command: Command): Command {
  return command
    .addOption(new Option("--inventory <file>", "a Pigsty inventory (pigsty.yml)").makeOptionMandatory())
    .addOption(
      new Option("--cluster <name>", "the cluster whose roles to manage (its pg_cluster)").makeOptionMandatory(),
    )
    .addOption(
      connOption(
        `the cluster's primary, reached as a superuser: ${CONN_FORMS_HELP}; without --conn, as psql with no arguments`,
      ),
    )
    .addOption(
      new Option(
        "--scram-iterations <n>",
        `iterations of new SCRAM-SHA-256 verifiers, at least ${DEFAULT_SCRAM_ITERATIONS} (default ${DEFAULT_SCRAM_ITERATIONS}); stored verifiers with fewer are re-hashed`,
      ).argParser(
        integerFlag({
          flag: "--scram-iterations",
          min: DEFAULT_SCRAM_ITERATIONS,
          max: MAX_SCRAM_ITERATIONS,
          code: "bad-iterations",
        }),
      ),
    )
    .addOption(
      new Option(
        "--min-length <n>",
        `shortest password accepted, in characters, at least ${DEFAULT_MIN_PASSWORD_LENGTH} (default ${DEFAULT_MIN_PASSWORD_LENGTH})`,
      ).argParser(
        integerFlag({
          flag: "--min-length",
          min: DEFAULT_MIN_PASSWORD_LENGTH,
          max: MAX_MIN_LENGTH_CHARACTERS,
          code: "bad-min-length",
        }),
      ),
    )
    .addOption(
      new Option(
        "--require-classes <list>",
        `character classes every password needs, comma-separated: ${CHARACTER_CLASSES.join(", ")}`,
      ),
    )
    .addOption(
      new Option("--denylist <file>", "passwords refused outright, one per line (compared case-insensitively)"),
    );
}

async function policyOf(options: RoleOptions): Promise<PasswordPolicy> {
  const { minLength } = options;
  let requiredClasses: CharacterClass[] | undefined;
  if (options.requireClasses !== undefined) {
    requiredClasses = options.requireClasses.split(",").map((word) => word.trim()) as CharacterClass[];
    const unknown = requiredClasses.filter((word) => !(CHARACTER_CLASSES as readonly string[]).includes(word));
    if (unknown.length > 0 || requiredClasses.length === 0)
      throw usageError(
        "bad-flag",
        `--require-classes takes ${CHARACTER_CLASSES.join(", ")}, got ${JSON.stringify(options.requireClasses)}`,
      );
  }
  let denylist: Set<string> | undefined;
  if (options.denylist !== undefined) {
    const text = await readInputFile(options.denylist, "denylist");
    denylist = new Set(parseWordlist(text).map((line) => line.toLowerCase()));
  }
  return { minLength, requiredClasses, denylist };
}

export interface PreparedRoles {
  readonly model: RoleModel;
  readonly planOptions: RolePlanOptions;
}

/**
 * Everything that needs no server, checked before connecting: the flags, the inventory, the
 * passwords it points to, and the password policy (violations are exit 3, naming user and rule).
 */
export async function prepareRoles(ctx: CommandContext, options: RoleOptions): Promise<PreparedRoles> {
  const { scramIterations } = options;
  const policy = await policyOf(options);
  // With --format json, every problem reaches the error object on stderr (main.ts), each at its file:line.
  const inventory = await loadInventory(options.inventory);
  for (const warning of inventory.warnings) ctx.output.warn(warning);
  const model = await desiredRoleModel(inventory, options.cluster, { env: ctx.env, now: ctx.now });
  checkDeclaredPasswords(model, policy);
  // Only warnings are left (an error was thrown above); before connecting, so that they are seen even when the server is not reached.
  for (const problem of model.problems.filter((each) => each.severity === "warning"))
    ctx.output.warn(`${problemPlace(problem)}${problem.message}`);
  return { model, planOptions: { scramIterations } };
}

/** What each kind of change is called in the summary line: one, many. */
const KIND_WORDS: Readonly<Record<RoleChangeKind, readonly [string, string]>> = {
  "create-role": ["role to create", "roles to create"],
  "alter-role": ["role to alter", "roles to alter"],
  "set-parameter": ["parameter to set", "parameters to set"],
  "reset-parameter": ["parameter to reset", "parameters to reset"],
  comment: ["comment", "comments"],
  "grant-membership": ["membership to grant", "memberships to grant"],
  "revoke-membership": ["membership to revoke", "memberships to revoke"],
  "grant-default-privilege": ["default privilege grant", "default privilege grants"],
  "revoke-default-privilege": ["default privilege revoke", "default privilege revokes"],
  "revoke-public-create": ["revoke of CREATE on schema public", "revokes of CREATE on schema public"],
  "drop-role": ["role to drop", "roles to drop"],
};

/** `3 roles to create, 1 membership to grant`, in plan order. */
export function countsText(plan: RolePlan): string {
  const counts = new Map<RoleChangeKind, number>();
  for (const change of plan.changes) counts.set(change.kind, (counts.get(change.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${KIND_WORDS[kind][count === 1 ? 0 : 1]}`).join(", ");
}

/**
 * The plan's JSON document: every change with its masked SQL (never a verifier), and
 * `masksPassword` on each, since such `sql` is not runnable: only role apply can run it.
 */
export function planJson(plan: RolePlan, extra: Record<string, unknown> = {}) {
  return {
    cluster: plan.cluster,
    database: plan.database,
    ...extra,
    changes: plan.changes.map((change) => ({
      kind: change.kind,
      role: change.role,
      summary: change.summary,
      sql: change.sql,
      masksPassword: change.masksPassword(),
      ...(change.locksOut !== undefined ? { locksOut: change.locksOut } : {}),
    })),
    warnings: plan.warnings,
  };
}

/** The masked statements, one a line. */
export function planSql(plan: RolePlan): string {
  return plan.changes.map((change) => `${change.sql};`).join("\n");
}

/** `pgwarden role apply` with the flags of this plan, for a POSIX shell: the way to run what the plan shows. */
export function applyCommandLine(options: RoleOptions): string {
  const flags: [string, string | undefined][] = [
    ["--inventory", options.inventory],
    ["--cluster", options.cluster],
    ["--conn", options.conn],
    ["--scram-iterations", options.scramIterations?.toString()],
    ["--min-length", options.minLength?.toString()],
    ["--require-classes", options.requireClasses],
    ["--denylist", options.denylist],
  ];
  return [
    "pgwarden role apply",
    ...flags.filter(([, value]) => value !== undefined).map(([flag, value]) => `${flag} ${shellWord(value ?? "")}`),
  ].join(" ");
}

/**
 * The plan as `role plan` prints it: what it changes and how to apply it, then the statements in
 * one transaction. A masked password is not SQL, so the text run as a script (`psql -f`) fails at
 * the first statement that would set a password, and the transaction around it keeps every
 * statement before and after it from taking effect, with or without ON_ERROR_STOP.
 */
export function planText(plan: RolePlan, options: RoleOptions): string {
  const masked = plan.changes.some((change) => change.masksPassword());
  return [
    `-- ${plan.changes.length} changes for ${plan.cluster} (database ${plan.database}): ${countsText(plan)}`,
    ...(masked
      ? [
          `-- Not a script: passwords show as ${MASKED_PASSWORD}, which is not SQL, so psql fails at the first one and, in this transaction, changes nothing.`,
        ]
      : []),
    ...plan.changes
      .filter((change) => change.locksOut !== undefined)
      .map(
        (change) =>
          `-- WARNING: ${change.sql} locks operators out: ${change.locksOut}; role apply refuses it without --force`,
      ),
    `-- Apply it with: ${applyCommandLine(options)}`,
    "BEGIN;",
    planSql(plan),
    "COMMIT;",
  ].join("\n");
}
