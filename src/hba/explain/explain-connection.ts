import { type Connection, explain, type ServerContext } from "../match.js";
import type { HbaRule } from "../model.js";
import { PASSWORD_METHODS } from "../stored-password.js";
import {
  type Access,
  type AuthenticationOutcome,
  authenticationOutcome,
  authFailedMessage,
  encryptionText,
} from "./authentication.js";
import { checkConnectionAddress } from "./connection-address.js";
import { afterAuthentication, type LoginFacts } from "./login-checks.js";

/** A line that matches, and what it does with the connection. */
export interface MatchedRule {
  readonly rule: HbaRule;
  readonly outcome: AuthenticationOutcome;
}

/** A line before the first sure match that may match, why pgwarden cannot tell, and what it would do. */
export interface UndecidedMatch extends MatchedRule {
  readonly unknown: string;
}

/** The whole answer for one connection: which line PostgreSQL uses, what it demands, and the verdict. */
export interface ConnectionExplanation {
  readonly connection: Connection;
  /** allowed (once the client proves what the line demands), refused, or unknown. */
  readonly verdict: Access;
  /** Why, in one sentence for a person. */
  readonly reason: string;
  /** When refused: the error message the client receives from PostgreSQL. */
  readonly serverMessage?: string;
  /** The first line that surely matches; absent when none does. */
  readonly first?: MatchedRule;
  /** Lines before `first` that may match: PostgreSQL stops at the first that does. */
  readonly undecided: readonly UndecidedMatch[];
  /** Lines after `first` that also match: PostgreSQL never reaches them for this connection. */
  readonly later: readonly HbaRule[];
}

export interface ExplainOptions {
  readonly server?: ServerContext;
  /** False when the server is known to have no such role: PostgreSQL refuses it whatever line matches. */
  readonly roleExists?: boolean;
  /** The role's and the database's facts on the server (--conn): what it checks once the line lets the client through. */
  readonly login?: LoginFacts;
}

const where = (rule: HbaRule) => `${rule.source.file}:${rule.source.line}`;

const NO_RULE_REASON = "no line matches: PostgreSQL rejects the connection (no pg_hba.conf entry)";

/** auth.c's message when no line matches (uaImplicitReject). */
function noEntryMessage(connection: Connection): string {
  const host = connection.address === "local" ? "[local]" : connection.address;
  const encryption = encryptionText(connection);
  return connection.replication
    ? `no pg_hba.conf entry for replication connection from host "${host}", user "${connection.user}", ${encryption}`
    : `no pg_hba.conf entry for host "${host}", user "${connection.user}", database "${connection.database}", ${encryption}`;
}

/** What the client is told when the role does not exist: the line's own refusal first, else the method's or the missing role's. */
function missingRoleMessage(first: MatchedRule | undefined, connection: Connection): string {
  if (!first) return noEntryMessage(connection);
  if (first.outcome.access === "refused" && first.outcome.serverMessage) return first.outcome.serverMessage;
  // A password method fails for a missing role as for a wrong password: no role is revealed.
  if (PASSWORD_METHODS.has(first.rule.method)) return authFailedMessage(first.rule.method, connection.user);
  return `role "${connection.user}" does not exist`;
}

function verdictOf(
  first: MatchedRule | undefined,
  connection: Connection,
): { verdict: Access; reason: string; serverMessage?: string } {
  if (!first) return { verdict: "refused", reason: NO_RULE_REASON, serverMessage: noEntryMessage(connection) };
  const { rule, outcome } = first;
  const line = `${where(rule)} (${rule.method})`;
  switch (outcome.access) {
    case "allowed":
      return { verdict: "allowed", reason: `${line} lets the user in; it demands ${outcome.demands}` };
    case "refused":
      return {
        verdict: "refused",
        reason: `${line} matches and would fail: ${outcome.reason}; later lines are never tried`,
        ...(outcome.serverMessage ? { serverMessage: outcome.serverMessage } : {}),
      };
    case "unknown":
      return { verdict: "unknown", reason: `${line} matches, but ${outcome.reason}` };
  }
}

/**
 * Explains a connection against the rules in order: the line PostgreSQL uses, what its
 * authentication demands, whether it would let the connection in, and the lines that would
 * also match but are never reached. When lines before the first sure match may match, the
 * verdict is the one they all share, or unknown.
 */
export function explainConnection(
  rules: readonly HbaRule[],
  connection: Connection,
  options: ExplainOptions = {},
): ConnectionExplanation {
  checkConnectionAddress(connection.address, "connection.address");
  const found = explain(rules, connection, options.server);
  const login = options.login;
  const outcomeOf = (rule: HbaRule) => {
    const outcome = authenticationOutcome(rule, connection);
    return login === undefined ? outcome : afterAuthentication(outcome, rule, connection, login);
  };
  const first = found.first ? { rule: found.first, outcome: outcomeOf(found.first) } : undefined;
  const undecided = found.undecided.map(({ rule, reason }) => ({ rule, unknown: reason, outcome: outcomeOf(rule) }));
  const common = { connection, undecided, later: found.later, ...(first ? { first } : {}) };

  if (options.roleExists === false) {
    const serverMessage = missingRoleMessage(first, connection);
    return {
      ...common,
      verdict: "refused",
      reason: `role ${connection.user} does not exist on the server: PostgreSQL refuses it whatever line matches (the client is told "${serverMessage}")`,
      serverMessage,
    };
  }
  const fallback = verdictOf(first, connection);
  if (undecided.length === 0) return { ...common, ...fallback };
  const possible = new Set<Access>([fallback.verdict, ...undecided.map((candidate) => candidate.outcome.access)]);
  const lines = undecided.map((candidate) => where(candidate.rule)).join(", ");
  if (possible.size === 1 && !possible.has("unknown")) {
    return {
      ...common,
      verdict: fallback.verdict,
      reason: `${fallback.reason} (${lines} may match first, with the same verdict)`,
    };
  }
  return {
    ...common,
    verdict: "unknown",
    reason: `${lines} may match first: ${undecided[0]?.unknown}. If none does: ${fallback.reason}`,
  };
}
