import { z } from "zod";

import { MAX_ROLE_NAME_BYTES } from "../../core/role-name.js";
import { type SourceLocation } from "../../core/source-location.js";
import { addressProblem } from "./addresses.js";
import { AUTH_ALIAS_NAMES, isAuthAlias, type RenderTarget, resolveAuth } from "./auth.js";
import { hasOpenQuote, tokenizeField } from "./field.js";
import { HBA_RULE_ROLES, isHbaRuleRole, ruleRole } from "./role-gate.js";
import { userProblem } from "./users.js";

/** Where a rule without `order` goes: after Pigsty's defaults (100-650) and the 0-99 band for rules that must come first. */
export const DEFAULT_RULE_ORDER = 1000;

/**
 * One rule object of pg_default_hba_rules, pg_hba_rules, pgb_default_hba_rules or
 * pgb_hba_rules, as written in the inventory. Either the alias form (`addr` with `user`,
 * `db`, `auth`) or the raw form (`rules`: pg_hba lines written as they are); when both are
 * given the raw lines win, as in Pigsty.
 */
export interface HbaRuleSpec {
  /** Role name, `all`, `+group`, or a placeholder `${dbsu}` `${repl}` `${monitor}` `${admin}`; default `all`. */
  readonly user?: string;
  /** Database name, `all`, `replication`; default `all`. */
  readonly db?: string;
  /** An address alias, `samehost`/`samenet`, or an IPv4/IPv6 address or CIDR. */
  readonly addr?: string;
  /** An auth alias (see auth.ts); default `pwd`. */
  readonly auth?: string;
  /** Written as the comment above the rule's lines. */
  readonly title?: string;
  /** Instance role the rule applies to; default `default` (every instance). */
  readonly role?: string;
  /** Sort key, lower first; default {@link DEFAULT_RULE_ORDER}. Equal orders keep the written order. */
  readonly order?: number;
  /** Raw pg_hba lines. */
  readonly rules?: readonly string[];
  /** Where the rule object was written (set by the inventory loader). */
  readonly source?: SourceLocation;
}

/** A problem with one field of a rule (or with the rule as a whole when `field` is undefined). */
export interface RuleProblem {
  readonly field?: keyof HbaRuleSpec;
  readonly message: string;
}

/** Aliases that ask for something a Unix socket cannot give. */
const LOCAL_ADDRESSES = ["local", "localhost"];

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Characters that end a database or user field unless they are inside double quotes. */
function unquotedBreak(field: string): boolean {
  let inQuotes = false;
  for (const char of field) {
    if (char === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (char === " " || char === "#")) return true;
  }
  return false;
}

/**
 * Text that would change the file's meaning: a line break in any field starts a line of its
 * own (an active rule even when this one is disabled), a title ending in a backslash makes
 * PostgreSQL join the rule below into the comment, a space or `#` outside quotes splits a field.
 */
function textProblems(spec: HbaRuleSpec): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const field of ["user", "db", "addr", "auth", "title", "role"] as const) {
    const value = spec[field];
    if (value !== undefined && CONTROL.test(value))
      problems.push({ field, message: `${field} must be one line of text without control characters` });
  }
  if (spec.rules?.some((line) => CONTROL.test(line)))
    problems.push({ field: "rules", message: "each raw rule must be one line of text without control characters" });
  if (spec.title?.endsWith("\\"))
    problems.push({
      field: "title",
      message: "a title ending in a backslash would make PostgreSQL read the rule below it as part of the comment",
    });
  for (const field of ["user", "db"] as const) {
    const value = spec[field];
    if (value === undefined || CONTROL.test(value)) continue;
    const problem = hasOpenQuote(value)
      ? `${field} ${JSON.stringify(value)} opens a double quote it never closes, so PostgreSQL would read the rest of the line into it: ` +
        `write a name that holds a " in double quotes, with that " doubled, e.g. "o""brien"`
      : unquotedBreak(value)
        ? `${field} ${JSON.stringify(value)} has a space or # outside double quotes, which would split the rule`
        : nameProblem(field, value);
    if (problem) problems.push({ field, message: problem });
  }
  return problems;
}

/**
 * A name no role or database can have: empty (`""`), or longer than NAMEDATALEN - 1 bytes
 * (PostgreSQL truncates such names when they are made, so a rule naming one never matches).
 */
function nameProblem(field: "user" | "db", value: string): string | undefined {
  const what = field === "user" ? "role" : "database";
  for (const token of tokenizeField(value)) {
    if (!token.quoted && token.value.startsWith("@")) continue;
    const name = field === "user" && !token.quoted && token.value.startsWith("+") ? token.value.slice(1) : token.value;
    if (name === "") return `${field} ${JSON.stringify(value)} has an empty ${what} name`;
    const bytes = Buffer.byteLength(name, "utf8");
    if (bytes > MAX_ROLE_NAME_BYTES) {
      const limit = `PostgreSQL's names are at most ${MAX_ROLE_NAME_BYTES} bytes, so none has it`;
      return `${field} ${JSON.stringify(value)}: ${what} name ${JSON.stringify(name)} is ${bytes} bytes, and ${limit}: write the ${what}'s real name`;
    }
  }
  return undefined;
}

/** Does the rule use its raw lines? */
export function isRawRule(spec: HbaRuleSpec): boolean {
  return spec.rules !== undefined && spec.rules.length > 0;
}

/**
 * The problems with a rule that do not depend on the rest of the inventory: what Pigsty
 * aborts on (no addr nor rules, bad role, bad addr, unknown auth, `db: replication` for
 * pgbouncer), plus what pgwarden refuses because the file would not load or would not say
 * what the rule says (see textProblems).
 */
export function ruleSpecProblems(spec: HbaRuleSpec, target: RenderTarget): RuleProblem[] {
  const problems = textProblems(spec);
  const role = ruleRole(spec.role);
  if (!isHbaRuleRole(role))
    problems.push({
      field: "role",
      message: `invalid hba role ${JSON.stringify(role)}: use one of ${HBA_RULE_ROLES.join(", ")}`,
    });
  if (isRawRule(spec)) return problems;
  if (spec.addr === undefined || spec.addr === "") {
    problems.push({ message: "no addr or rules: give addr (with user, db, auth) or rules (raw pg_hba lines)" });
    return problems;
  }
  const addr = spec.addr;
  const badAddress = addressProblem(addr);
  if (badAddress) problems.push({ field: "addr", message: badAddress });
  const badUser = spec.user === undefined ? undefined : userProblem(spec.user);
  if (badUser) problems.push({ field: "user", message: badUser });
  if (spec.auth !== undefined && spec.auth !== "" && !isAuthAlias(spec.auth)) {
    problems.push({
      field: "auth",
      message: `unsupported auth ${JSON.stringify(spec.auth)}: use one of ${AUTH_ALIAS_NAMES.join(", ")}, or raw rules`,
    });
  } else {
    const auth = resolveAuth(spec.auth, undefined, target);
    if (auth && LOCAL_ADDRESSES.includes(addr) && (auth.method === "cert" || auth.extension)) {
      problems.push({
        field: "auth",
        message: `auth ${spec.auth} needs a TCP address, and addr ${addr} renders as Unix socket (local) lines`,
      });
    }
    // PostgreSQL and pgbouncer both refuse peer on a host line: it needs the socket's peer credentials.
    if (auth && auth.method === "peer" && addr !== "local") {
      problems.push({
        field: "auth",
        message: `auth ${spec.auth} means peer${target === "pgbouncer" ? " for pgbouncer" : ""}, which works only over the Unix socket, and addr ${addr} renders TCP lines: use addr local, or another auth for TCP`,
      });
    }
    if (target === "pgbouncer" && auth && Object.keys(auth.options).length > 0) {
      problems.push({
        field: "auth",
        message: `pgbouncer takes no options such as clientcert in its HBA file, so auth ${spec.auth} cannot be rendered for it`,
      });
    }
  }
  if (target === "pgbouncer") {
    if (spec.db === "replication")
      problems.push({
        field: "db",
        message: "db replication is not allowed in pgbouncer hba rules: pgbouncer has no replication connections",
      });
    if (addr === "samehost" || addr === "samenet")
      problems.push({ field: "addr", message: `pgbouncer does not support addr ${addr}` });
  }
  return problems;
}

const ruleShape = {
  user: z.string().optional(),
  db: z.string().optional(),
  addr: z.string().optional(),
  auth: z.string().optional(),
  title: z.string().optional(),
  role: z.string().optional(),
  order: z.number().int().optional(),
  rules: z.array(z.string()).optional(),
};

/** The schema of one rule object for a target; unknown keys are dropped, as Pigsty ignores them. */
export function hbaRuleSpecSchema(target: RenderTarget) {
  return z.object(ruleShape).superRefine((spec, context) => {
    for (const problem of ruleSpecProblems(spec, target))
      context.addIssue({ code: "custom", message: problem.message, path: problem.field ? [problem.field] : [] });
  });
}
