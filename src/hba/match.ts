import { networkContains, parseAddress, parseNetwork, type Network } from "./address.js";
import type { HbaRule, HbaToken } from "./model.js";
import { isRegexToken, tokenRegex } from "./parse/token-regex.js";

/**
 * Which rule PostgreSQL picks for a connection (hba.c check_hba): the first rule whose
 * connection type, address, database and role all match. What cannot be known without the
 * server's machine is decided narrowly and said here:
 * - a host name never matches (no DNS lookups are made);
 * - `samehost` and `samenet` match loopback addresses only (127.0.0.0/8 and ::1), since the
 *   server's own interfaces and their subnets are unknown here;
 * - roles are the names given in `memberOf`; whether they exist is not checked.
 */
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
   * Roles the user is a member of, directly or through other roles (for `+group` and
   * `samerole`); default none. A role always counts as a member of itself.
   */
  readonly memberOf?: readonly string[];
  /**
   * A physical replication connection: it matches the database keyword `replication` and
   * nothing else. A logical replication connection (replication=database) names a real
   * database and matches like any other connection: pass false for it.
   */
  readonly replication?: boolean;
}

export interface Explanation {
  /** The rule PostgreSQL uses; undefined when none matches and the connection is rejected. */
  readonly first?: HbaRule;
  /** Rules after `first` that would also match: never reached for this connection. */
  readonly later: readonly HbaRule[];
}

const LOOPBACK: readonly Network[] = [parseNetwork("127.0.0.0/8") as Network, parseNetwork("::1/128") as Network];

/** The network of a rule's CIDR address, parsed once per rule; null for keywords and host names. */
const ruleNetworks = new WeakMap<HbaRule, Network | null>();

function networkOf(rule: HbaRule): Network | null {
  let network = ruleNetworks.get(rule);
  if (network === undefined) {
    network = (rule.address !== undefined && parseNetwork(rule.address)) || null;
    ruleNetworks.set(rule, network);
  }
  return network;
}

const isKeyword = (token: HbaToken, keyword: string) => !token.quoted && token.value === keyword;

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

function addressMatches(rule: HbaRule, client: Network | undefined): boolean {
  if (rule.type === "local") return true;
  if (rule.address === "all") return true;
  if (!client) return false;
  if (rule.address === "samehost" || rule.address === "samenet") return LOOPBACK.some((loopback) => networkContains(loopback, client));
  const network = networkOf(rule);
  // A host name: PostgreSQL would resolve the client's name; without DNS it never matches.
  return network !== null && networkContains(network, client);
}

const isMember = (connection: Connection, role: string) => connection.user === role || (connection.memberOf ?? []).includes(role);

/** hba.c check_db: keywords first (never regular expressions), then patterns, then names. */
function databaseMatches(tokens: readonly HbaToken[], connection: Connection): boolean {
  return tokens.some((token) => {
    if (connection.replication) return isKeyword(token, "replication");
    if (isKeyword(token, "all")) return true;
    if (isKeyword(token, "sameuser")) return connection.database === connection.user;
    if (isKeyword(token, "samerole") || isKeyword(token, "samegroup")) return isMember(connection, connection.database);
    if (isKeyword(token, "replication")) return false;
    if (isRegexToken(token)) return tokenRegex(token)?.test(connection.database) ?? false;
    return token.value === connection.database;
  });
}

/** hba.c check_role: `+role` membership, `all`, patterns, then names. */
function userMatches(tokens: readonly HbaToken[], connection: Connection): boolean {
  return tokens.some((token) => {
    if (!token.quoted && token.value.startsWith("+")) return isMember(connection, token.value.slice(1));
    if (isKeyword(token, "all")) return true;
    if (isRegexToken(token)) return tokenRegex(token)?.test(connection.user) ?? false;
    return token.value === connection.user;
  });
}

function matches(rule: HbaRule, connection: Connection, client: Network | undefined): boolean {
  return typeMatches(rule, connection) && addressMatches(rule, client) && databaseMatches(rule.databases, connection) && userMatches(rule.users, connection);
}

const clientNetwork = (connection: Connection) => (connection.address === "local" ? undefined : parseAddress(connection.address));

/** Does this rule match the connection (ignoring the rules before it)? */
export function ruleMatches(rule: HbaRule, connection: Connection): boolean {
  return matches(rule, connection, clientNetwork(connection));
}

/** The rule PostgreSQL would use for the connection, and the later rules that also match it. */
export function explain(rules: readonly HbaRule[], connection: Connection): Explanation {
  const client = clientNetwork(connection);
  const matching = rules.filter((rule) => matches(rule, connection, client));
  const [first, ...later] = matching;
  return first ? { first, later } : { later: [] };
}
