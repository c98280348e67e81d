import { quoteIdentifier, quoteLiteral } from "../../core/identifier.js";
import { CREATE_USER_DEFAULTS, type DesiredRole, ROLE_ATTRIBUTES, type RoleAttribute } from "../desired-role.js";
import type { CatalogRole } from "../role-catalog.js";
import { MASKED_PASSWORD, RoleChange } from "../role-change.js";
import { decidePassword, type PasswordDecisionOptions } from "./password-decision.js";

/** CREATE ROLE's own defaults: what a clause need not say. */
const CREATE_ROLE_DEFAULTS: Readonly<Record<RoleAttribute, boolean>> = { ...CREATE_USER_DEFAULTS, login: false };

const ATTRIBUTE_NAMES = Object.keys(ROLE_ATTRIBUTES) as RoleAttribute[];

const yesNo = (value: boolean) => (value ? "yes" : "no");

/** `VALID UNTIL` of a UTC date: midnight UTC, so reading it back at day granularity gives the same date. */
function validUntilClause(date: string): string {
  return `VALID UNTIL ${quoteLiteral(`${date} 00:00:00+00`)}`;
}

/** Clauses as shown and as run: the password clause differs (masked / the verifier). */
interface Clauses {
  readonly shown: string[];
  readonly run: string[];
  readonly words: string[];
}

function passwordClause(clauses: Clauses, secret: string, reason: string): void {
  clauses.shown.push(`PASSWORD ${MASKED_PASSWORD}`);
  clauses.run.push(`PASSWORD ${quoteLiteral(secret)}`);
  clauses.words.push(reason);
}

function plain(clauses: Clauses, clause: string, words: string): void {
  clauses.shown.push(clause);
  clauses.run.push(clause);
  clauses.words.push(words);
}

function statement(prefix: string, clauses: readonly string[]): string {
  return clauses.length === 0 ? prefix : `${prefix} ${clauses.join(" ")}`;
}

/** CREATE ROLE with every attribute the role gets (the inventory's, else CREATE USER's defaults), expiry and password. */
export function createRole(role: DesiredRole, options: PasswordDecisionOptions): RoleChange {
  const clauses: Clauses = { shown: [], run: [], words: [] };
  for (const attribute of ATTRIBUTE_NAMES) {
    const value = role.attributes[attribute] ?? CREATE_USER_DEFAULTS[attribute];
    if (value === CREATE_ROLE_DEFAULTS[attribute]) continue;
    const keyword = value ? ROLE_ATTRIBUTES[attribute].on : ROLE_ATTRIBUTES[attribute].off;
    plain(clauses, keyword, keyword.toLowerCase());
  }
  if (role.connectionLimit !== undefined && role.connectionLimit !== -1)
    plain(clauses, `CONNECTION LIMIT ${role.connectionLimit}`, `connection limit ${role.connectionLimit}`);
  if (role.validUntil !== undefined)
    plain(clauses, validUntilClause(role.validUntil), `valid until ${role.validUntil}`);
  if (role.password) {
    const decision = decidePassword(role.name, role.password, null, options);
    if (decision.change) passwordClause(clauses, decision.secret, "password");
  }
  const prefix = `CREATE ROLE ${quoteIdentifier(role.name)}`;
  const summary = `create role ${role.name}${clauses.words.length > 0 ? ` (${clauses.words.join(", ")})` : ""}`;
  return new RoleChange(
    "create-role",
    role.name,
    summary,
    statement(prefix, clauses.shown),
    statement(prefix, clauses.run),
  );
}

/** ALTER ROLE for the stated attributes, connection limit, expiry and password that differ; undefined when none does. */
export function alterRole(
  role: DesiredRole,
  current: CatalogRole,
  options: PasswordDecisionOptions,
): RoleChange | undefined {
  const clauses: Clauses = { shown: [], run: [], words: [] };
  for (const attribute of ATTRIBUTE_NAMES) {
    const wanted = role.attributes[attribute];
    if (wanted === undefined || wanted === current.attributes[attribute]) continue;
    plain(
      clauses,
      wanted ? ROLE_ATTRIBUTES[attribute].on : ROLE_ATTRIBUTES[attribute].off,
      `${attribute} ${yesNo(current.attributes[attribute])} -> ${yesNo(wanted)}`,
    );
  }
  if (role.connectionLimit !== undefined && role.connectionLimit !== current.connectionLimit) {
    plain(
      clauses,
      `CONNECTION LIMIT ${role.connectionLimit}`,
      `connection limit ${current.connectionLimit} -> ${role.connectionLimit}`,
    );
  }
  if (role.validUntil !== undefined && role.validUntil !== current.validUntil) {
    plain(
      clauses,
      validUntilClause(role.validUntil),
      `valid until ${current.validUntil ?? "never"} -> ${role.validUntil}`,
    );
  }
  if (role.password) {
    const decision = decidePassword(role.name, role.password, current.secret, options);
    if (decision.change) passwordClause(clauses, decision.secret, decision.reason);
  }
  if (clauses.shown.length === 0) return undefined;
  const prefix = `ALTER ROLE ${quoteIdentifier(role.name)}`;
  return new RoleChange(
    "alter-role",
    role.name,
    `alter role ${role.name}: ${clauses.words.join(", ")}`,
    statement(prefix, clauses.shown),
    statement(prefix, clauses.run),
  );
}
