import {
  type AddressContext,
  AddressError,
  type AddressExpansion,
  expandAddress,
} from "../../config/hba-rules/addresses.js";
import { type RenderTarget, resolveAuth } from "../../config/hba-rules/auth.js";
import { tokenizeField } from "../../config/hba-rules/field.js";
import { type HbaRuleRole, type InstanceRole, isRuleActive, ruleRole } from "../../config/hba-rules/role-gate.js";
import { type PgRole } from "../../config/hba-rules/role-gate.js";
import { DEFAULT_RULE_ORDER, type HbaRuleSpec, isRawRule, ruleSpecProblems } from "../../config/hba-rules/rule-spec.js";
import { resolveUser, type SystemUsers } from "../../config/hba-rules/users.js";
import {
  clusterMembers,
  effectiveVars,
  groupHosts,
  instanceName,
  type Inventory,
  resolveInstance,
} from "../../config/inventory.js";
import type { HbaRuleKey } from "../../config/schema.js";
import { ExitCode, PgwardenError, usageError } from "../../core/errors.js";
import { type SourceLocation, sourcePrefix } from "../../core/source-location.js";
import { type ConnectionType, type HbaRule } from "../model.js";
import { formatHbaLine } from "./format.js";

export type { RenderTarget } from "../../config/hba-rules/auth.js";

export interface RenderOptions {
  /** The instance, by address (`10.10.10.11`) or name (`pg-meta-2`). Omitted: the cluster's only member, or the cluster as a whole. */
  readonly instance?: string;
  /** `pg` renders pg_hba.conf from pg_default_hba_rules + pg_hba_rules; `pgbouncer` renders pgb_hba.conf from the pgb_ lists. */
  readonly target: RenderTarget;
}

/** One line of the rendered file that is a rule. */
export interface RenderedRule {
  /** The rule as PostgreSQL reads it; an inactive rule is written with `#` before this. */
  readonly line: string;
  readonly title?: string;
  /** False when the rule's role does not match the instance: the line is commented out, as Pigsty does. */
  readonly active: boolean;
  readonly role: HbaRuleRole;
  /** The order the rule was sorted by (its `order`, else {@link DEFAULT_RULE_ORDER}). */
  readonly order: number;
  /** The rule in the shared model, for alias-form rules (raw `rules` lines are text only). */
  readonly rule?: HbaRule;
  /** Where the rule object was written in the inventory. */
  readonly source?: SourceLocation;
  /** 1-based line of this rule in {@link RenderedHba.text}. */
  readonly fileLine: number;
}

export interface RenderedHba {
  readonly target: RenderTarget;
  readonly cluster: string;
  /** The instance rendered for; undefined for a cluster-level render (role-specific rules inactive). */
  readonly instance?: { readonly host: string; readonly name?: string };
  readonly pgRole?: PgRole;
  readonly rules: readonly RenderedRule[];
  /** The file's content. */
  readonly text: string;
  /** Things that render but may not do what the rule says (`ssl` on a local address, pgbouncer limits). */
  readonly warnings: readonly string[];
}

/** A rule with the list and index it came from, to name it in messages. */
interface ListedRule {
  readonly spec: HbaRuleSpec;
  readonly list: string;
  readonly index: number;
}

interface RuleLine {
  readonly type: ConnectionType;
  readonly address?: string;
}

/** Each target's rule lists: the defaults, then the cluster's (Pigsty concatenates them in this order). */
const RULE_LISTS: Record<RenderTarget, readonly [HbaRuleKey, HbaRuleKey]> = {
  pg: ["pg_default_hba_rules", "pg_hba_rules"],
  pgbouncer: ["pgb_default_hba_rules", "pgb_hba_rules"],
};

function ruleName(listed: ListedRule): string {
  const where = sourcePrefix(listed.spec.source);
  const title = listed.spec.title ? ` (${JSON.stringify(listed.spec.title)})` : "";
  return `${where}${listed.list}[${listed.index}]${title}`;
}

function ruleError(listed: ListedRule, message: string): PgwardenError {
  return new PgwardenError("invalid-hba-rule", `${ruleName(listed)}: ${message}`, ExitCode.config);
}

/**
 * Renders the access rules of one instance (or of a cluster) the way Pigsty's templates do
 * (roles/pgsql/templates/pg_hba.conf and pgbouncer.hba): default rules then the cluster's
 * rules, sorted by `order` (stable), aliases expanded, rules for other roles commented out.
 * Problems Pigsty aborts on are {@link PgwardenError}s (exit 3) naming the rule; an unknown
 * cluster or instance is not-found (exit 4).
 */
export function renderHba(inventory: Inventory, cluster: string, options: RenderOptions): RenderedHba {
  // As the CLI's --target choices: a library caller's typo is named, not a TypeError on the rule lists.
  if (!Object.hasOwn(RULE_LISTS, options.target))
    throw usageError(
      "bad-target",
      `target must be one of ${Object.keys(RULE_LISTS).join(", ")}, not ${JSON.stringify(options.target)}`,
    );
  const members = clusterMembers(inventory, cluster);
  const host =
    options.instance !== undefined
      ? resolveInstance(inventory, cluster, options.instance)
      : members.length === 1
        ? members[0]
        : undefined;
  const vars = effectiveVars(inventory, cluster, host);
  const target = options.target;
  const addresses: AddressContext = {
    adminIp: vars.admin_ip,
    infraHosts: groupHosts(inventory, "infra"),
    clusterMembers: members,
    intranet: vars.node_firewall_intranet,
  };
  const users: SystemUsers = {
    dbsu: vars.pg_dbsu,
    replication: vars.pg_replication_username,
    monitor: vars.pg_monitor_username,
    admin: vars.pg_admin_username,
  };
  const instanceRole: InstanceRole = { pgRole: vars.pg_role, offlineQuery: vars.pg_offline_query };

  const [defaultList, clusterList] = RULE_LISTS[target];
  const listed: ListedRule[] = [
    ...(vars[defaultList] ?? []).map((spec, index) => ({ spec, list: defaultList, index })),
    ...(vars[clusterList] ?? []).map((spec, index) => ({ spec, list: clusterList, index })),
  ];
  // Array.prototype.sort is stable: equal orders keep the written order, as Jinja's sort does.
  const sorted = listed
    .map((entry) => ({ ...entry, order: entry.spec.order ?? DEFAULT_RULE_ORDER }))
    .sort((a, b) => a.order - b.order);

  const name = host !== undefined ? instanceName(inventory, host) : undefined;
  // A key pgwarden does not validate: any YAML value, shown in the header as String() writes it.
  const socketDirectory: unknown = vars.pg_localhost;
  const out: string[] = header({
    inventory,
    cluster,
    target,
    host,
    name,
    pgRole: vars.pg_role,
    addresses,
    users,
    socketDirectory: String(socketDirectory),
  });
  const rendered: RenderedRule[] = [];
  const warnings: string[] = [];

  for (const entry of sorted) {
    const { spec } = entry;
    const problem = ruleSpecProblems(spec, target)[0];
    if (problem) throw ruleError(entry, problem.message);
    const role = ruleRole(spec.role) as HbaRuleRole;
    const active = isRuleActive(role, instanceRole);
    const common = { title: spec.title, active, role, order: entry.order, source: spec.source };
    out.push("", `# ${spec.title ?? ""} [${role}]${active ? "" : " [DISABLED]"}`);
    const emit = (line: string, rule?: HbaRule) => {
      out.push(`${active ? "" : "#"}${line}`);
      rendered.push({ ...common, line, rule, fileLine: out.length });
    };
    if (isRawRule(spec)) {
      for (const line of spec.rules ?? []) emit(line);
      continue;
    }
    const addr = spec.addr ?? "";
    const auth = resolveAuth(spec.auth, vars.pg_pwd_enc, target);
    if (!auth) throw ruleError(entry, `unsupported auth ${JSON.stringify(spec.auth)}`);
    let expansion: AddressExpansion;
    try {
      expansion = expandAddress(addr, addresses);
    } catch (error) {
      if (error instanceof AddressError) throw ruleError(entry, error.message);
      throw error;
    }
    const user = resolveUser(spec.user, users);
    const database = spec.db === undefined || spec.db === "" ? "all" : spec.db;
    const lines: RuleLine[] =
      expansion.kind === "local"
        ? [{ type: "local" }]
        : expansion.kind === "localhost"
          ? // Pigsty writes localhost as plain local and host lines, whatever the auth alias asks for.
            [{ type: "local" }, ...expansion.loopback.map((address) => ({ type: "host" as const, address }))]
          : expansion.addresses.map((address) => ({ type: auth.connection, address }));
    if (auth.requiresTls && expansion.kind !== "network") {
      warnings.push(
        `${ruleName(entry)}: auth ${spec.auth} asks for TLS, but addr ${addr} is rendered as local${expansion.kind === "localhost" ? " and host" : ""} lines without it, as Pigsty does`,
      );
    }
    if (target === "pgbouncer" && tokenizeField(user).some((token) => !token.quoted && token.value.startsWith("+"))) {
      warnings.push(`${ruleName(entry)}: pgbouncer does not support +group users in its HBA file`);
    }
    for (const { type, address } of lines) {
      const line = formatHbaLine(type, database, user, address, auth.method, auth.options);
      emit(line, {
        type,
        databases: tokenizeField(database),
        users: tokenizeField(user),
        address,
        method: auth.method,
        options: auth.options,
        // The inventory line to change; a rule made in code (no source) is attributed to the file's start.
        source: spec.source ?? { file: inventory.file, line: 1 },
        text: line,
      });
    }
  }
  return {
    target,
    cluster,
    instance: host !== undefined ? { host, name } : undefined,
    pgRole: host !== undefined ? vars.pg_role : undefined,
    rules: rendered,
    text: `${out.join("\n")}\n`,
    warnings,
  };
}

interface HeaderFacts {
  readonly inventory: Inventory;
  readonly cluster: string;
  readonly target: RenderTarget;
  readonly host?: string;
  readonly name?: string;
  readonly pgRole?: string;
  readonly addresses: AddressContext;
  readonly users: SystemUsers;
  readonly socketDirectory: string;
}

/** Inventory text in a comment stays in the comment: a line break would start a line PostgreSQL reads. */
function commentText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, "?");
}

/** The comment block Pigsty writes above the rules, without its timestamp so that renders compare equal. */
function header(facts: HeaderFacts): string[] {
  const { inventory, cluster, target, host, name, pgRole, addresses, users, socketDirectory } = facts;
  const rule = "#==============================================================#";
  const what = target === "pg" ? "Postgres" : "Pgbouncer";
  const subject =
    host !== undefined
      ? `${name ?? host} [${pgRole ?? "no pg_role"}]`
      : `cluster ${cluster} (no instance: role-specific rules are disabled)`;
  return [
    rule,
    `# File      :   ${target === "pg" ? "pg_hba.conf" : "pgb_hba.conf"}`,
    `# Desc      :   ${what} HBA Rules for ${subject}`,
    ...(host !== undefined ? [`# Host      :   ${name ?? host} @ ${host}`] : []),
    `# Source    :   ${inventory.file}`,
    "# Note      :   rendered by pgwarden; change the inventory, not this file",
    rule,
    "",
    "# addr alias",
    `# local     : ${socketDirectory}`,
    `# admin     : ${addresses.adminIp ?? ""}`,
    `# infra     : ${addresses.infraHosts.join(", ")}`,
    `# intra     : ${addresses.intranet.join(", ")}`,
    `# cluster   : ${addresses.clusterMembers.join(", ")}`,
    "",
    "# user alias",
    `# dbsu    :  ${users.dbsu}`,
    `# repl    :  ${users.replication}`,
    `# monitor :  ${users.monitor}`,
    `# admin   :  ${users.admin}`,
  ].map(commentText);
}
