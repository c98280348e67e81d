import { maskedNetworkContains, type Network, networkContains, parseAddress } from "../core/address.js";
import { type HbaToken } from "../core/auth-file-tokens.js";
import type { HbaRule } from "./model.js";
import { isRegexToken, tokenRegex } from "./parse/token-regex.js";
import { isKeyword, LOOPBACK_NETWORKS, ruleCidr, ruleMaskedNetwork } from "./rule-address.js";

/*
 * Which rule PostgreSQL picks for a connection (hba.c check_hba): the first rule whose
 * connection type, address, database and role all match. What cannot be known without the
 * server's machine or catalog is not guessed: such a rule's match is "unknown", with why:
 * - a host name needs DNS (PostgreSQL looks the client's address up); pgwarden does none;
 * - `samehost` and `samenet` compare with the server's own interfaces: known only for
 *   loopback clients (lo carries 127.0.0.1/8 and ::1) and for {@link ServerContext.addresses};
 * - `+group`, `samerole` and `samegroup` need the user's memberships: unknown unless
 *   {@link Connection.memberOf} is given.
 */

/** A connection attempt as check_hba sees it: who, to which database, from where, over what. */
export interface Connection {
  readonly user: string;
  readonly database: string;
  /** "local" for the unix socket, else an IP address. */
  readonly address: string;
  /** TLS in use (host/hostssl vs hostnossl). */
  readonly ssl: boolean;
  /** GSSAPI encryption in use (host/hostgssenc vs hostnogssenc). Default false. */
  readonly gssenc?: boolean;
  /**
   * Every role the user is a member of, directly or through other roles (for `+group` and
   * `samerole`), when known; undefined when not known, which makes such rules "unknown".
   * A role always counts as a member of itself.
   */
  readonly memberOf?: readonly string[];
  /**
   * A physical replication connection: it matches the database keyword `replication` and
   * nothing else. A logical replication connection (replication=database) names a real
   * database and matches like any other connection: pass false for it.
   */
  readonly replication?: boolean;
  /** The client certificate presented over TLS, by its subject's common name; none when absent. */
  readonly certificate?: { readonly commonName: string };
}

/** What pgwarden knows about the server the rules are for. */
export interface ServerContext {
  /** PostgreSQL's major version. Tokens starting with `/` are regular expressions from 16 on; default: 16 or later. */
  readonly majorVersion?: number;
  /** Addresses the server is known to have besides loopback (for `samehost`), e.g. the one `--conn` reached. */
  readonly addresses?: readonly string[];
}

/** PostgreSQL 16 made `/...` database and role tokens regular expressions. */
export const FIRST_MAJOR_WITH_REGEX_TOKENS = 16;

export type MatchVerdict = "yes" | "no" | "unknown";

export interface RuleMatch {
  readonly verdict: MatchVerdict;
  /** Why the match cannot be decided, when the verdict is unknown. */
  readonly unknown?: string;
}

export interface UndecidedRule {
  readonly rule: HbaRule;
  /** Why pgwarden cannot tell whether it matches. */
  readonly reason: string;
}

export interface Explanation {
  /** The first rule that surely matches; undefined when none does (PostgreSQL rejects, unless an undecided rule matches). */
  readonly first?: HbaRule;
  /** Rules before `first` that may match: PostgreSQL stops at the first of them that does. */
  readonly undecided: readonly UndecidedRule[];
  /** Rules after `first` that would also match: never reached for this connection. */
  readonly later: readonly HbaRule[];
}

const YES: RuleMatch = { verdict: "yes" };
const NO: RuleMatch = { verdict: "no" };
const unknown = (why: string): RuleMatch => ({ verdict: "unknown", unknown: why });

/** The first "yes" of the alternatives, else the first "unknown", else "no" (a token list matches if any token does). */
function anyOf(matches: Iterable<RuleMatch>): RuleMatch {
  let undecided: RuleMatch | undefined;
  for (const match of matches) {
    if (match.verdict === "yes") return match;
    if (match.verdict === "unknown") undecided ??= match;
  }
  return undecided ?? NO;
}

/** "no" if any part fails, else "unknown" (reasons joined) if any part is, else "yes" (a rule matches if every field does). */
function allOf(matches: readonly RuleMatch[]): RuleMatch {
  if (matches.some((match) => match.verdict === "no")) return NO;
  const reasons = matches.filter((match) => match.verdict === "unknown").map((match) => match.unknown as string);
  return reasons.length > 0 ? unknown(reasons.join("; ")) : YES;
}

/** The addresses lo carries on every system PostgreSQL runs on. */
const LOOPBACK_HOST: readonly Network[] = [parseAddress("127.0.0.1") as Network, parseAddress("::1") as Network];

function typeMatches(rule: HbaRule, connection: Connection): boolean {
  if (rule.type === "local") return connection.address === "local";
  if (connection.address === "local") return false;
  switch (rule.type) {
    case "hostssl":
      return connection.ssl;
    case "hostnossl":
      return !connection.ssl;
    case "hostgssenc":
      return connection.gssenc === true;
    case "hostnogssenc":
      return connection.gssenc !== true;
    case "host":
      return true;
  }
}

const sameAddress = (a: Network, b: Network) => a.family === b.family && a.base === b.base;

function sameHostOrNet(keyword: "samehost" | "samenet", client: Network, server: ServerContext): RuleMatch {
  const known = (server.addresses ?? [])
    .map(parseAddress)
    .filter((address): address is Network => address !== undefined);
  if (keyword === "samehost") {
    if ([...LOOPBACK_HOST, ...known].some((address) => sameAddress(address, client))) return YES;
  } else if (LOOPBACK_NETWORKS.some((loopback) => networkContains(loopback, client))) return YES;
  const what = keyword === "samehost" ? "one of the server's own addresses" : "in a subnet of the server's interfaces";
  return unknown(
    `${keyword}: whether the client is ${what} depends on the server's interfaces, which pgwarden does not know`,
  );
}

function addressMatches(rule: HbaRule, client: Network | undefined, server: ServerContext): RuleMatch {
  if (rule.type === "local" || rule.address === "all") return YES;
  if (!client) return NO;
  if (rule.address === "samehost" || rule.address === "samenet") return sameHostOrNet(rule.address, client, server);
  const network = ruleCidr(rule);
  if (network) return networkContains(network, client) ? YES : NO;
  const masked = ruleMaskedNetwork(rule);
  if (masked) return maskedNetworkContains(masked, client) ? YES : NO;
  // A host name: PostgreSQL resolves the client's address to a name and back; pgwarden makes no DNS lookups.
  return unknown(
    `host name ${rule.address}: PostgreSQL would look the client's address up in DNS, which pgwarden does not do`,
  );
}

/** hba.c is_member: a role is a member of itself; other roles only through known memberships. */
function membership(connection: Connection, role: string): RuleMatch {
  if (connection.user === role) return YES;
  if (connection.memberOf === undefined)
    return unknown(`whether ${connection.user} is a member of ${role} is not known`);
  return connection.memberOf.includes(role) ? YES : NO;
}

/** Whether `/...` tokens are regular expressions for this server (PostgreSQL 16 on; an unknown version counts as 16 or later). */
export const regexTokens = (server: ServerContext): boolean =>
  (server.majorVersion ?? FIRST_MAJOR_WITH_REGEX_TOKENS) >= FIRST_MAJOR_WITH_REGEX_TOKENS;

/** A name or, from PostgreSQL 16 on, a `/regex`; before 16 a `/...` token is just a name. */
function nameMatches(token: HbaToken, name: string, server: ServerContext): boolean {
  if (isRegexToken(token) && regexTokens(server)) return tokenRegex(token)?.test(name) ?? false;
  return token.value === name;
}

/**
 * A token whose quoting is not known (from pg_hba_file_rules): read both ways; when the keyword
 * (or `+group`) and the name would decide differently, the match is unknown.
 */
function eitherQuoting(token: HbaToken, decide: (token: HbaToken) => RuleMatch): RuleMatch {
  if (!token.quoteUnknown) return decide(token);
  const unquoted = decide({ value: token.value, quoted: false });
  const quoted = decide({ value: token.value, quoted: true });
  if (unquoted.verdict === quoted.verdict && unquoted.verdict !== "unknown") return unquoted;
  return unknown(
    `pg_hba_file_rules shows ${token.value} without the quotes it may have had: written "${token.value}" it is a name, written ${token.value} it is not; ` +
      "only the file itself tells (pgwarden reads it with pg_read_file when the role may: a superuser, or a member of pg_read_server_files with EXECUTE on pg_read_file)",
  );
}

/** hba.c check_db: keywords first (never regular expressions), then patterns, then names. */
function databaseMatches(tokens: readonly HbaToken[], connection: Connection, server: ServerContext): RuleMatch {
  return anyOf(
    tokens.map((written) =>
      eitherQuoting(written, (token) => {
        if (connection.replication) return isKeyword(token, "replication") ? YES : NO;
        if (isKeyword(token, "all")) return YES;
        if (isKeyword(token, "sameuser")) return connection.database === connection.user ? YES : NO;
        if (isKeyword(token, "samerole") || isKeyword(token, "samegroup"))
          return membership(connection, connection.database);
        if (isKeyword(token, "replication")) return NO;
        return nameMatches(token, connection.database, server) ? YES : NO;
      }),
    ),
  );
}

/** hba.c check_role: `+role` membership, `all`, patterns, then names. */
function userMatches(tokens: readonly HbaToken[], connection: Connection, server: ServerContext): RuleMatch {
  return anyOf(
    tokens.map((written) =>
      eitherQuoting(written, (token) => {
        if (!token.quoted && token.value.startsWith("+")) return membership(connection, token.value.slice(1));
        if (isKeyword(token, "all")) return YES;
        return nameMatches(token, connection.user, server) ? YES : NO;
      }),
    ),
  );
}

function match(rule: HbaRule, connection: Connection, client: Network | undefined, server: ServerContext): RuleMatch {
  if (!typeMatches(rule, connection)) return NO;
  return allOf([
    addressMatches(rule, client, server),
    databaseMatches(rule.databases, connection, server),
    userMatches(rule.users, connection, server),
  ]);
}

const clientNetwork = (connection: Connection) =>
  connection.address === "local" ? undefined : parseAddress(connection.address);

/** Does this rule match the connection (ignoring the rules before it): yes, no, or unknown with why. */
export function matchRule(rule: HbaRule, connection: Connection, server: ServerContext = {}): RuleMatch {
  return match(rule, connection, clientNetwork(connection), server);
}

/** Does this rule surely match the connection (ignoring the rules before it)? */
export function ruleMatches(rule: HbaRule, connection: Connection, server: ServerContext = {}): boolean {
  return matchRule(rule, connection, server).verdict === "yes";
}

/**
 * The rule PostgreSQL would use for the connection: the first rule that surely matches,
 * the rules before it that may match (PostgreSQL would stop at one of them if it does),
 * and the later rules that also match but are never reached.
 */
export function explain(rules: readonly HbaRule[], connection: Connection, server: ServerContext = {}): Explanation {
  const client = clientNetwork(connection);
  const undecided: UndecidedRule[] = [];
  const later: HbaRule[] = [];
  let first: HbaRule | undefined;
  for (const rule of rules) {
    const result = match(rule, connection, client, server);
    if (result.verdict === "yes") {
      if (first) later.push(rule);
      else first = rule;
    } else if (result.verdict === "unknown" && !first) undecided.push({ rule, reason: result.unknown as string });
  }
  return first ? { first, undecided, later } : { undecided, later };
}
