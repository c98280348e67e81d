import { dirname, resolve } from "node:path";

import { clusterSource, clusterVarSource } from "../config/cluster-source.js";
import { type DeclaredRole, mergeRoleEntry, newDeclaredRole, roleEntries } from "../config/declared-roles.js";
import { type DefaultPrivilege, parseDefaultPrivilege } from "../config/default-privilege.js";
import { instanceVars, type Inventory, withPigstyDefaults } from "../config/inventory.js";
import { ProblemCollector } from "../config/problem-collector.js";
import { problemAt } from "../config/problem-list.js";
import type { RoleEntry } from "../config/role-entry.js";
import type { InventoryVars, PasswordKey } from "../config/schema.js";
import { ExitCode, PgwardenError, type Problem } from "../core/errors.js";
import { type SourceLocation, sourcePrefix } from "../core/source-location.js";
import { type DesiredPassword, type DesiredRole } from "./desired-role.js";
import { duplicateRoleProblems, type RoleDeclaration } from "./duplicate-roles.js";
import { type PasswordSourceContext, resolvePassword } from "./password-source.js";
import { desiredParameter } from "./role-parameter.js";

/**
 * Pigsty runs every pg_default_privileges entry FOR ROLE the dbsu, the admin user and this role
 * (pgsty/pigsty roles/pgsql/templates/pg-init-template.sql, read at commit 287d7ca47eca718edb5ca88d6ed5c96a8eb147de).
 */
const ADMIN_GROUP_ROLE = "dbrole_admin";

const DAY_MS = 86_400_000;

/** The roles of one cluster as its inventory declares them: Pigsty's defaults, then pg_users. */
export interface RoleModel {
  readonly cluster: string;
  readonly roles: readonly DesiredRole[];
  readonly defaultPrivileges: readonly DefaultPrivilege[];
  /** The roles whose new objects get the default privileges: dbsu, admin user, dbrole_admin. */
  readonly privilegeOwners: readonly string[];
  /** pg_pwd_enc: how a plaintext password is turned into what the server stores. */
  readonly passwordEncryption: "scram-sha-256" | "md5";
  readonly warnings: readonly string[];
  /**
   * Placed problems that still let the model be built: a role declared by more than one entry,
   * at each entry (errors and warnings, see duplicate-roles.ts). checkDeclaredPasswords lists them
   * with the password problems, so that neither hides the other; warnings alone are the caller's to show.
   */
  readonly problems: readonly Problem[];
}

export interface RoleModelOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Today, for expire_in. */
  readonly now: Date;
}

/** The system users' password keys and the username key each one belongs to, in Pigsty's order. */
const SYSTEM_PASSWORDS: readonly (readonly [
  PasswordKey,
  "pg_dbsu" | "pg_replication_username" | "pg_monitor_username" | "pg_admin_username",
])[] = [
  ["pg_dbsu_password", "pg_dbsu"],
  ["pg_replication_password", "pg_replication_username"],
  ["pg_monitor_password", "pg_monitor_username"],
  ["pg_admin_password", "pg_admin_username"],
];

/** Which password wins, as Pigsty's order of statements decides: a pg_default_roles entry's, then the PASSWORD OVERWRITE of system users, then pg_users'. */
const PASSWORD_RANK = { pg_default_roles: 0, system: 1, pg_users: 2 } as const;

/** A role as its entries declare it (merged in config/declared-roles.ts), with where its password comes from. */
interface RoleBuilder extends DeclaredRole {
  pigstyDefault?: string;
  password?: { value: DesiredPassword; rank: number };
  /** The passwords other entries declare for the role, replaced by `password`: each is still checked. */
  overridden: DesiredPassword[];
}

/** An invalid role model (exit 3) about what was written at `source`. */
function modelError(source: SourceLocation | undefined, message: string): PgwardenError {
  const problems = source ? { problems: [problemAt(source, message)] } : undefined;
  return new PgwardenError("invalid-role-model", `${sourcePrefix(source)}${message}`, ExitCode.config, problems);
}

/** A UTC date N days from `now`, as Pigsty's template computes expire_in (day granularity). */
function expiryDate(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

class RoleModelBuilder {
  readonly roles = new Map<string, RoleBuilder>();
  readonly declarations: RoleDeclaration[] = [];
  readonly warnings: string[] = [];

  constructor(private readonly context: PasswordSourceContext) {}

  role(name: string): RoleBuilder {
    let role = this.roles.get(name);
    if (!role) {
      role = { ...newDeclaredRole(name), overridden: [] };
      this.roles.set(name, role);
    }
    return role;
  }

  setPassword(role: RoleBuilder, value: DesiredPassword, rank: number): void {
    const current = role.password;
    if (!current || rank >= current.rank) {
      if (current) role.overridden.push(current.value);
      role.password = { value, rank };
    } else role.overridden.push(value);
  }

  /** `pigstyDefault`: the entry is Pigsty's default (the inventory sets no pg_default_roles), placed at the cluster's entry. */
  async entry(entry: RoleEntry, origin: "pg_default_roles" | "pg_users", pigstyDefault?: string): Promise<void> {
    this.declarations.push({
      name: entry.name,
      origin,
      source: entry.source,
      ...(pigstyDefault === undefined ? {} : { pigstyDefault }),
    });
    const role = this.role(entry.name);
    if (entry.source) role.pigstyDefault = pigstyDefault;
    mergeRoleEntry(role, entry);
    const self = entry.roles?.some(
      (membership) => (typeof membership === "string" ? membership : membership.name) === entry.name,
    );
    if (self) throw modelError(entry.source, `${origin} ${entry.name}: a role cannot be a member of itself`);
    if (entry.password !== undefined && entry.password !== null) {
      const written = entry.passwordSource ?? entry.source;
      const value = await resolvePassword(
        entry.password,
        { label: `${origin} ${entry.name}: password`, key: origin, written },
        this.context,
      );
      this.setPassword(role, pigstyDefault === undefined ? value : { ...value, pigstyDefault }, PASSWORD_RANK[origin]);
    }
  }

  /**
   * `stated`: the inventory sets `key` itself (not only Pigsty's default), so an unused value deserves a warning.
   * `written`: where the inventory sets it, else the cluster's entry, where Pigsty's default comes into force.
   */
  async systemPassword(
    vars: InventoryVars,
    key: PasswordKey,
    userKey: (typeof SYSTEM_PASSWORDS)[number][1],
    stated: boolean,
    written: SourceLocation | undefined,
  ): Promise<void> {
    const input = vars[key];
    const name = vars[userKey];
    // pg_dbsu_password '' is Pigsty's "no dbsu password".
    if (input === undefined || input === "" || typeof name !== "string") return;
    const role = this.roles.get(name);
    if (!role) {
      if (stated)
        this.warnings.push(
          `${key} is set, but ${userKey} ${name} is in neither pg_default_roles nor pg_users: its password is not managed`,
        );
      return;
    }
    const value = await resolvePassword(input, { label: `${key} (${name})`, key, written }, this.context);
    this.setPassword(role, stated ? value : { ...value, pigstyDefault: key }, PASSWORD_RANK.system);
  }
}

function finish(role: RoleBuilder, systemUsers: ReadonlySet<string>, now: Date): DesiredRole {
  // A Pigsty default the inventory replaces was never the person's choice: replacing it is the fix its problem asks for.
  const overridden = role.overridden.filter((password) => password.pigstyDefault === undefined);
  return {
    name: role.name,
    state: role.state,
    source: role.source,
    ...(role.pigstyDefault === undefined ? {} : { pigstyDefault: role.pigstyDefault }),
    system: systemUsers.has(role.name),
    attributes: role.attributes,
    connectionLimit: role.connlimit,
    // Pigsty's template: expire_in counts days from the day it runs.
    validUntil: role.expiry && ("inDays" in role.expiry ? expiryDate(now, role.expiry.inDays) : role.expiry.at),
    password: role.password?.value,
    ...(overridden.length === 0 ? {} : { overriddenPasswords: overridden }),
    memberships: [...role.memberships].map(([name, state]) => ({ role: name, state })),
    parameters: [...role.parameters].map(([name, value]) => desiredParameter(name, value)),
    // Pigsty's template comments every role, `business user <name>` when the entry has none.
    comment: role.comment ?? `business user ${role.name}`,
  };
}

/**
 * The role model of `cluster`: pg_default_roles (Pigsty's when the inventory has none), the
 * system users' passwords, then pg_users, with the cluster's vars over the global ones.
 * Passwords given as `{env}` or `{file}` are read here. A system user declared absent, or an
 * unreadable password, is an invalid config (exit 3) naming the inventory line.
 */
export async function desiredRoleModel(
  inventory: Inventory,
  cluster: string,
  options: RoleModelOptions,
): Promise<RoleModel> {
  const own = instanceVars(inventory, cluster);
  const vars: InventoryVars = withPigstyDefaults(own);
  const builder = new RoleModelBuilder({ baseDir: dirname(resolve(inventory.file)), env: options.env });
  // Pigsty's defaults come into force at the cluster's entry: that is where they are reported.
  const entryOfCluster = clusterSource(inventory, cluster);
  const defaultRoles = own.pg_default_roles === undefined;
  const problems = new ProblemCollector("problems with the declared roles");
  for (const { entry, origin } of roleEntries(vars)) {
    const pigsty = defaultRoles && origin === "pg_default_roles";
    const placed = pigsty ? { ...entry, source: entryOfCluster } : entry;
    await problems.run(() => builder.entry(placed, origin, pigsty ? "pg_default_roles" : undefined));
  }
  // After pg_users, so a system user declared there gets its password too; ranks keep pg_users' own first.
  for (const [key, userKey] of SYSTEM_PASSWORDS) {
    const stated = own[key] !== undefined;
    await problems.run(() =>
      builder.systemPassword(
        vars,
        key,
        userKey,
        stated,
        stated ? clusterVarSource(inventory, cluster, key) : entryOfCluster,
      ),
    );
  }

  const systemNames = SYSTEM_PASSWORDS.map(([, userKey]) => vars[userKey]).filter(
    (name): name is string => typeof name === "string",
  );
  const systemUsers = new Set(systemNames);
  for (const role of builder.roles.values()) {
    if (role.state === "absent" && systemUsers.has(role.name)) {
      const why =
        "is a system user (the dbsu, replicator, monitor or admin user): pgwarden never drops it, so state: absent is refused";
      problems.keep(modelError(role.source, `${role.name} ${why}`));
    }
  }
  const duplicates = duplicateRoleProblems(builder.declarations, cluster);
  // No model without its other problems: the duplicates are listed with them.
  if (problems.size > 0 && duplicates.length > 0)
    problems.keep(
      new PgwardenError("invalid-role-model", "roles declared twice", ExitCode.config, { problems: duplicates }),
    );
  problems.throwIfAny();
  const privilegeOwners = [
    ...new Set(
      [vars.pg_dbsu, vars.pg_admin_username, ADMIN_GROUP_ROLE].filter(
        (name): name is string => typeof name === "string",
      ),
    ),
  ];
  return {
    cluster,
    roles: [...builder.roles.values()].map((role) => finish(role, systemUsers, options.now)),
    defaultPrivileges: (vars.pg_default_privileges ?? []).map(parseDefaultPrivilege),
    privilegeOwners,
    passwordEncryption: vars.pg_pwd_enc ?? "scram-sha-256",
    warnings: builder.warnings,
    problems: duplicates,
  };
}
