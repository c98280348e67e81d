import { type Command, Option } from "commander";

import { usageError } from "../../../core/errors.js";
import { shellWord } from "../../../pki/trust/conninfo.js";
import {
  CHARACTER_CLASSES,
  type CharacterClass,
  DEFAULT_MIN_PASSWORD_LENGTH,
  isCharacterClass,
  MAX_MIN_PASSWORD_LENGTH,
} from "../../../roles/password-policy.js";
import type { RolePlan } from "../../../roles/plan/plan-roles.js";
import { type PreparedRoles, prepareRoles as prepareRoleModel } from "../../../roles/prepare-roles.js";
import type { RoleChangeKind } from "../../../roles/role-change.js";
import { MASKED_PASSWORD } from "../../../roles/role-change.js";
import { DEFAULT_SCRAM_ITERATIONS, MAX_SCRAM_ITERATIONS } from "../../../roles/scram.js";
import { CONN_FORMS_HELP, connOption } from "../../conn-url.js";
import type { CommandContext } from "../../context.js";
import { integerFlag } from "../../number-flags.js";

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
          max: MAX_MIN_PASSWORD_LENGTH,
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

/** --require-classes lower,upper,digit: the classes, each one known. */
function requiredClassesOf(text: string | undefined): CharacterClass[] | undefined {
  if (text === undefined) return undefined;
  const words = text.split(",").map((word) => word.trim());
  const classes = words.filter(isCharacterClass);
  if (classes.length !== words.length || classes.length === 0)
    throw usageError(
      "bad-flag",
      `--require-classes takes ${CHARACTER_CLASSES.join(", ")}, got ${JSON.stringify(text)}`,
    );
  return classes;
}

/** The flags as the library's request; the inventory, passwords and policy are checked there, before connecting. */
export function prepareRoles(ctx: CommandContext, options: RoleOptions): Promise<PreparedRoles> {
  const requiredClasses = requiredClassesOf(options.requireClasses);
  return prepareRoleModel(
    {
      inventory: options.inventory,
      cluster: options.cluster,
      ...(options.scramIterations !== undefined ? { scramIterations: options.scramIterations } : {}),
      ...(options.minLength !== undefined ? { minLength: options.minLength } : {}),
      ...(requiredClasses !== undefined ? { requiredClasses } : {}),
      ...(options.denylist !== undefined ? { denylistFile: options.denylist } : {}),
    },
    // With --format json, every problem reaches the error object on stderr (main.ts), each at its file:line.
    { env: ctx.env, now: ctx.now, onWarning: (message) => ctx.output.warn(message) },
  );
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
