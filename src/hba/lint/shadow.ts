import { mask, type Network } from "../../core/address.js";
import { type HbaToken } from "../../core/auth-file-tokens.js";
import type { ConnectionType, HbaRule } from "../model.js";
import { isRegexToken } from "../parse/token-regex.js";
import { ruleNetwork } from "./scope.js";

/** A rule that is never reached: `by`, earlier in the file, always matches its connections first. */
export interface Shadowing {
  readonly rule: HbaRule;
  readonly by: HbaRule;
  /** Same type, lists, address, method and options: a plain duplicate. */
  readonly duplicate: boolean;
}

type Field = "databases" | "users";

/** Starts the key of a keyword or `+group` (see {@link tokenKey}): no name holds a newline. */
const KEYWORD = "\n";
const ALL = `${KEYWORD}all`;
const REPLICATION = `${KEYWORD}replication`;
const EMPTY_NAME = `${KEYWORD}""`;
/** hba.c check_db's keywords; samegroup is samerole. */
const DATABASE_KEYWORDS = new Map([
  ["all", ALL],
  ["sameuser", `${KEYWORD}sameuser`],
  ["samerole", `${KEYWORD}samerole`],
  ["samegroup", `${KEYWORD}samerole`],
  ["replication", REPLICATION],
]);

/**
 * A token's key: a plain name is itself; a keyword (unquoted) or a `+group` (unquoted, users only)
 * is a newline and its text, which no name can be (a token never holds a newline); a `/regex`
 * is its text, quoted or not, which no name starts with (from PostgreSQL 16 it is a pattern;
 * before, a name either way). So keys are equal exactly when the tokens match the same, and
 * lists of keys joined with newlines are told apart (an empty name has a key of its own).
 */
function tokenKey(token: HbaToken, field: Field): string {
  if (isRegexToken(token)) return token.value;
  if (!token.quoted) {
    if (field === "databases") {
      const keyword = DATABASE_KEYWORDS.get(token.value);
      if (keyword !== undefined) return keyword;
    } else if (token.value === "all") return ALL;
    else if (token.value.startsWith("+")) return `${KEYWORD}${token.value}`;
  }
  return token.value === "" ? EMPTY_NAME : token.value;
}

/** A list's keys, each once, sorted. */
function keysOf(tokens: readonly HbaToken[], field: Field): readonly string[] {
  const [only] = tokens;
  if (tokens.length === 1 && only) return [tokenKey(only, field)];
  return [...new Set(tokens.map((token) => tokenKey(token, field)))].sort();
}

/** Binary search in sorted keys (lists from `@file` can be long). */
function holds(keys: readonly string[], key: string): boolean {
  let low = 0;
  let high = keys.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = keys[middle] as string;
    if (at === key) return true;
    if (at < key) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** A rule's lists as sorted keys. */
interface Lists {
  readonly databases: readonly string[];
  readonly users: readonly string[];
  readonly allDatabases: boolean;
  readonly allUsers: boolean;
}

function listsOf(rule: HbaRule): Lists {
  const databases = keysOf(rule.databases, "databases");
  const users = keysOf(rule.users, "users");
  return { databases, users, allDatabases: holds(databases, ALL), allUsers: holds(users, ALL) };
}

/**
 * Does every connection the later lists match also match the earlier ones? Yes when each later
 * token is an earlier one, or the earlier lists have `all`: every role, and every database but
 * not the `replication` keyword (physical replication connections match nothing else). What a
 * `+group` or a `/regex` holds is not known here, so those are only covered by themselves and all.
 */
function listsCover(earlier: Lists, later: Lists): boolean {
  for (const key of later.databases)
    if (!(earlier.allDatabases && key !== REPLICATION) && !holds(earlier.databases, key)) return false;
  if (earlier.allUsers) return true;
  for (const key of later.users) if (!holds(earlier.users, key)) return false;
  return true;
}

/** For each connection type, the types whose earlier rules also catch its connections (itself and host). */
const COVERED_BY: Record<ConnectionType, readonly ConnectionType[]> = {
  local: ["local"],
  host: ["host"],
  hostssl: ["hostssl", "host"],
  hostnossl: ["hostnossl", "host"],
  hostgssenc: ["hostgssenc", "host"],
  hostnogssenc: ["hostnogssenc", "host"],
};

interface Earlier {
  readonly rule: HbaRule;
  /** Position in the file (after includes): earlier is smaller. */
  readonly index: number;
  readonly lists: Lists;
}

const earliest = (a: Earlier | undefined, b: Earlier | undefined) => (!a ? b : !b ? a : a.index <= b.index ? a : b);

/** The first entry, in file order, whose lists cover `lists`. */
function firstCovering(entries: readonly Earlier[] | undefined, lists: Lists): Earlier | undefined {
  if (entries) for (const entry of entries) if (listsCover(entry.lists, lists)) return entry;
  return undefined;
}

/**
 * Adds an entry to a list in file order, unless an earlier entry's lists already cover its
 * own: that one would always be found first, so the lists stay short (one entry when the
 * rules have single tokens or the same lists).
 */
function append(entries: Earlier[], entry: Earlier): void {
  if (!firstCovering(entries, entry.lists)) entries.push(entry);
}

/**
 * Earlier rules of one type listing one database token and one user token: networks by prefix
 * length then base, other addresses by their text. Most buckets hold one rule, so each index is
 * made when first needed.
 */
class Bucket {
  private v4?: ByPrefix;
  private v6?: ByPrefix;
  private names?: Map<string, Earlier[]>;

  add(entry: Earlier, networks: readonly Network[] | undefined): void {
    if (!networks) {
      const key = entry.rule.address ?? "local";
      this.names ??= new Map();
      let entries = this.names.get(key);
      if (!entries) this.names.set(key, (entries = []));
      append(entries, entry);
      return;
    }
    for (const network of networks) {
      const byPrefix = network.family === 4 ? (this.v4 ??= newByPrefix()) : (this.v6 ??= newByPrefix());
      let byBase = byPrefix.get(network.prefix);
      if (!byBase) byPrefix.set(network.prefix, (byBase = new Map<bigint, Earlier[]>()));
      let entries = byBase.get(network.base);
      if (!entries) byBase.set(network.base, (entries = []));
      append(entries, entry);
    }
  }

  /** The earliest rule here whose lists cover `lists` and whose addresses cover all of `networks` (or the same name, for a rule without networks). */
  coverOf(rule: HbaRule, lists: Lists, networks: readonly Network[] | undefined): Earlier | undefined {
    if (!networks) return firstCovering(this.names?.get(rule.address ?? "local"), lists);
    let cover: Earlier | undefined;
    for (const network of networks) {
      const byPrefix = network.family === 4 ? this.v4 : this.v6;
      if (!byPrefix) return undefined;
      let found: Earlier | undefined;
      for (const [prefix, byBase] of byPrefix) {
        if (prefix <= network.prefix)
          found = earliest(found, firstCovering(byBase.get(network.base & mask(network.family, prefix)), lists));
      }
      if (!found) return undefined;
      // Every one of the rule's networks must be covered; the last of their covers decides.
      cover = !cover || found.index > cover.index ? found : cover;
    }
    return cover;
  }
}

/** Earlier rules by network prefix length, then network base. */
type ByPrefix = Map<number, Map<bigint, Earlier[]>>;
const newByPrefix = (): ByPrefix => new Map();

/** Buckets by type, then database token key, then user token key. */
type BucketIndex = Map<ConnectionType, Map<string, BucketsByUser>>;
type BucketsByUser = Map<string, Bucket>;

function bucketOf(index: BucketIndex, type: ConnectionType, database: string, user: string): Bucket | undefined {
  return index.get(type)?.get(database)?.get(user);
}

function addBucket(index: BucketIndex, type: ConnectionType, database: string, user: string): Bucket {
  let byDatabases = index.get(type);
  if (!byDatabases) index.set(type, (byDatabases = new Map<string, BucketsByUser>()));
  let byUsers = byDatabases.get(database);
  if (!byUsers) byDatabases.set(database, (byUsers = new Map<string, Bucket>()));
  let bucket = byUsers.get(user);
  if (!bucket) byUsers.set(user, (bucket = new Bucket()));
  return bucket;
}

/**
 * The keys an earlier rule is indexed under. With `all` it is found through `all` alone (all
 * covers its other tokens), except that the `replication` keyword, which all does not cover,
 * is a key of its own.
 */
function databaseIndexKeys(lists: Lists): readonly string[] {
  if (!lists.allDatabases) return lists.databases;
  return holds(lists.databases, REPLICATION) ? [ALL, REPLICATION] : [ALL];
}

const ONLY_ALL: readonly string[] = [ALL];
const ONLY_REPLICATION: readonly string[] = [REPLICATION];

const userIndexKeys = (lists: Lists): readonly string[] => (lists.allUsers ? ONLY_ALL : lists.users);

/**
 * The keys a later rule looks under: an earlier rule that covers it lists one of its tokens,
 * or all. The `replication` keyword, if it has it, must be listed itself; else its `all`, if it
 * has it, must be; else its first token or all.
 */
function databaseLookupKeys(lists: Lists): readonly string[] {
  if (holds(lists.databases, REPLICATION)) return ONLY_REPLICATION;
  return lists.allDatabases ? ONLY_ALL : [lists.databases[0] as string, ALL];
}

const userLookupKeys = (lists: Lists): readonly string[] =>
  lists.allUsers ? ONLY_ALL : [lists.users[0] as string, ALL];

/** What makes two rules with the same type and lists the same rule. */
const restKey = (rule: HbaRule) =>
  `${rule.address ?? ""}|${rule.method}|${Object.keys(rule.options).length === 0 ? "" : JSON.stringify(rule.options)}`;

/** A list's keys as one string (the key itself for one token: no new string to hash). */
const joined = (keys: readonly string[]) => (keys.length === 1 ? (keys[0] as string) : keys.join(KEYWORD));

/** First rules by user list, then address, method and options. */
type TwinsByUsers = Map<string, Map<string, HbaRule>>;

/** The first rule of each type, lists (as what their tokens match), address, method and options: a later one with the same is its duplicate. */
class Twins {
  private readonly firsts = new Map<ConnectionType, Map<string, TwinsByUsers>>();

  /** The earlier rule this one duplicates; undefined (and this one noted) when it is the first. */
  firstOf(rule: HbaRule, lists: Lists): HbaRule | undefined {
    let byDatabases = this.firsts.get(rule.type);
    if (!byDatabases) this.firsts.set(rule.type, (byDatabases = new Map<string, TwinsByUsers>()));
    const databases = joined(lists.databases);
    let byUsers = byDatabases.get(databases);
    if (!byUsers) byDatabases.set(databases, (byUsers = new Map<string, Map<string, HbaRule>>()));
    const users = joined(lists.users);
    let byRest = byUsers.get(users);
    if (!byRest) byUsers.set(users, (byRest = new Map<string, HbaRule>()));
    const rest = restKey(rule);
    const first = byRest.get(rest);
    if (!first) byRest.set(rest, rule);
    return first;
  }
}

/**
 * For each rule, the earlier rule that always matches first (so this one is never reached),
 * found without comparing every pair: earlier rules are indexed by connection type, by each
 * database and user token they list and, within that, by network, so a rule asks at most a
 * handful of indexes one question per prefix length. Only certain cases are reported: a rule
 * is shadowed when an earlier one has the same or a wider type, an address that contains it,
 * and database and user lists that contain its own (see {@link listsCover}).
 */
export function findShadowed(rules: readonly HbaRule[]): Shadowing[] {
  const buckets: BucketIndex = new Map();
  const twins = new Twins();
  const results: Shadowing[] = [];
  for (const [index, rule] of rules.entries()) {
    const lists = listsOf(rule);
    const networks = ruleNetwork(rule);
    const twin = twins.firstOf(rule, lists);
    if (twin) results.push({ rule, by: twin, duplicate: true });
    else {
      const databaseKeys = databaseLookupKeys(lists);
      const userKeys = userLookupKeys(lists);
      let by: Earlier | undefined;
      for (const type of COVERED_BY[rule.type]) {
        for (const database of databaseKeys)
          for (const user of userKeys)
            by = earliest(by, bucketOf(buckets, type, database, user)?.coverOf(rule, lists, networks));
      }
      if (by) results.push({ rule, by: by.rule, duplicate: false });
    }
    const entry: Earlier = { rule, index, lists };
    for (const database of databaseIndexKeys(lists)) {
      for (const user of userIndexKeys(lists)) addBucket(buckets, rule.type, database, user).add(entry, networks);
    }
  }
  return results;
}

/** One analysis per list of rules, shared by the checks that report it (shadowed and duplicate rules). */
const analysed = new WeakMap<readonly HbaRule[], Shadowing[]>();

/** {@link findShadowed}, computed once for a given (immutable) list of rules. */
export function shadowingOf(rules: readonly HbaRule[]): Shadowing[] {
  let found = analysed.get(rules);
  if (!found) analysed.set(rules, (found = findShadowed(rules)));
  return found;
}
