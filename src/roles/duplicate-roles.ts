import { PIGSTY_DEFAULTS_ORIGIN } from "../config/pigsty-defaults.js";
import { problemAt } from "../config/problem-list.js";
import { sourceDetail } from "../config/source-detail.js";
import type { Problem } from "../core/errors.js";
import { type SourceLocation } from "../core/source-location.js";

/** One entry of pg_default_roles or pg_users, as far as finding a role declared twice needs it. */
export interface RoleDeclaration {
  readonly name: string;
  readonly origin: "pg_default_roles" | "pg_users";
  /** Where the entry is written; for one of Pigsty's default roles, the cluster's entry. */
  readonly source?: SourceLocation;
  /** Set when the entry is Pigsty's default (the inventory sets no pg_default_roles). */
  readonly pigstyDefault?: string;
}

/**
 * Why one list naming a role twice is an error. pgsql.yml (roles/pgsql/tasks/main.yml) runs
 * user.yml for every pg_users entry in turn, each one's ALTER USER over the last, while
 * bin/pgsql-user (pgsql-user.yml) takes only the first entry of that name (`[?name=='x'] | [0]`):
 * which password and attributes a role ends up with depends on the playbook that ran last.
 * pg-init-roles.sql runs pg_default_roles in turn too, so a later entry silently rewrites an earlier one.
 * (pgsty/pigsty at commit c73d321ddf84cf3b576d92ff1310a0b2b2c00eca.)
 */
const WHY_ONCE: Readonly<Record<RoleDeclaration["origin"], string>> = {
  pg_users:
    "Pigsty's pgsql.yml applies every entry in turn (the last password wins) but bin/pgsql-user applies only the first",
  pg_default_roles: "Pigsty applies every entry in turn, so a later one silently rewrites what an earlier one states",
};

/**
 * Why pg_users naming a role of pg_default_roles is only a warning: Pigsty documents that roles are
 * created "first global, then cluster-level, and finally in array order" (docs/pgsql/config/user),
 * and every playbook does so, so what the pg_users entry states always overrides the default role's.
 */
const WHY_OVERRIDE =
  "Pigsty creates pg_default_roles first, then pg_users, so what the pg_users entry states overrides it";

/** `line 9:13` in the same file as `here`, else `file:9:13`. */
function placeOf(there: SourceLocation | undefined, here: SourceLocation | undefined): string {
  if (there === undefined) return "an entry pgwarden cannot place";
  const { column } = sourceDetail(there);
  const position = `${there.line}${column === undefined ? "" : `:${column}`}`;
  return there.file === here?.file ? `line ${position}` : `${there.file}:${position}`;
}

/** A problem at the entry; an entry built by hand, with no place, gets an empty file (as declared-password-policy.ts does). */
function problem(at: RoleDeclaration, severity: Problem["severity"], message: string, rule: string): Problem {
  const text = `${message} (rule ${rule})`;
  return at.source === undefined
    ? { file: "", line: 0, severity, message: text, rule }
    : { ...problemAt(at.source, text, rule), severity };
}

/** What an entry is called in a message: `pg_users u1`, or, for Pigsty's default, whose default it is. */
function entryName(declaration: RoleDeclaration, cluster: string): string {
  if (declaration.pigstyDefault === undefined) return `${declaration.origin} ${declaration.name}`;
  return `${declaration.name} of Pigsty's default ${declaration.origin} (not set for ${cluster}: ${PIGSTY_DEFAULTS_ORIGIN})`;
}

/**
 * Every role declared by more than one entry, reported at each of them, so that no entry hides
 * another: twice in one list is an error (`duplicate-role`, the result depends on how Pigsty is run);
 * in pg_users and in pg_default_roles is a warning (`overrides-default-role`, Pigsty's documented order).
 * `declarations` in the order Pigsty applies them: pg_default_roles, then pg_users.
 */
export function duplicateRoleProblems(declarations: readonly RoleDeclaration[], cluster: string): Problem[] {
  const byName = new Map<string, RoleDeclaration[]>();
  for (const declaration of declarations)
    byName.set(declaration.name, [...(byName.get(declaration.name) ?? []), declaration]);
  const problems: Problem[] = [];
  for (const entries of byName.values()) {
    if (entries.length < 2) continue;
    for (const origin of ["pg_default_roles", "pg_users"] as const) {
      const same = entries.filter((entry) => entry.origin === origin);
      if (same.length < 2) continue;
      for (const entry of same) {
        const others = same.filter((other) => other !== entry).map((other) => placeOf(other.source, entry.source));
        problems.push(
          problem(
            entry,
            "error",
            `${entryName(entry, cluster)} is also declared at ${others.join(", ")}: declare each role once; ${WHY_ONCE[origin]}`,
            "duplicate-role",
          ),
        );
      }
    }
    const defaults = entries.filter((entry) => entry.origin === "pg_default_roles");
    const users = entries.filter((entry) => entry.origin === "pg_users");
    if (defaults.length === 0 || users.length === 0) continue;
    for (const entry of users) {
      const overridden = defaults.map((other) => placeOf(other.source, entry.source)).join(", ");
      const what =
        defaults[0]?.pigstyDefault === undefined
          ? `pg_default_roles at ${overridden}`
          : `Pigsty's default pg_default_roles (${PIGSTY_DEFAULTS_ORIGIN})`;
      problems.push(
        problem(
          entry,
          "warning",
          `${entryName(entry, cluster)} is also declared in ${what}: ${WHY_OVERRIDE}`,
          "overrides-default-role",
        ),
      );
    }
    for (const entry of defaults) {
      const overriding = users.map((other) => placeOf(other.source, entry.source)).join(", ");
      problems.push(
        problem(
          entry,
          "warning",
          `${entryName(entry, cluster)} is declared again in pg_users at ${overriding}: ${WHY_OVERRIDE}`,
          "overrides-default-role",
        ),
      );
    }
  }
  return problems;
}
