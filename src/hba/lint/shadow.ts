import { mask, type Network } from "../address.js";
import type { ConnectionType, HbaRule, HbaToken } from "../model.js";
import { isKeyword, ruleNetwork } from "./scope.js";

/**
 * For each rule, the earlier rule that always matches first (so this one is never reached),
 * found without comparing every pair: earlier rules are indexed by what they match
 * (connection type, database list, user list) and, within that, by network, so a rule
 * asks at most a handful of indexes one question per prefix length. Only certain cases
 * are reported: a rule is shadowed when an earlier one has the same or a wider type, the
 * same database and user lists (or `all`), and an address that contains it.
 */
export interface Shadowing {
  readonly rule: HbaRule;
  readonly by: HbaRule;
  /** Same type, lists, address, method and options: a plain duplicate. */
  readonly duplicate: boolean;
}

const tokensKey = (tokens: readonly HbaToken[]) => tokens.map((token) => `${token.quoted ? '"' : ""}${token.value}`).sort().join(",");

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
}

const earliest = (a: Earlier | undefined, b: Earlier | undefined) => (!a ? b : !b ? a : a.index <= b.index ? a : b);

/**
 * Earlier rules with the same type and lists: networks by prefix length then base, other
 * addresses by their text. Most buckets hold one rule, so each index is made when first needed.
 */
class Bucket {
  private v4?: Map<number, Map<bigint, Earlier>>;
  private v6?: Map<number, Map<bigint, Earlier>>;
  private names?: Map<string, Earlier>;
  /** The first rule for each address, method and options: a later one with the same is a duplicate. */
  private firsts?: Map<string, HbaRule>;

  twinOf(rest: string): HbaRule | undefined {
    return this.firsts?.get(rest);
  }

  add(entry: Earlier, networks: readonly Network[] | undefined, rest: string): void {
    this.firsts ??= new Map();
    if (!this.firsts.has(rest)) this.firsts.set(rest, entry.rule);
    if (!networks) {
      const key = entry.rule.address ?? "local";
      this.names ??= new Map();
      if (!this.names.has(key)) this.names.set(key, entry);
      return;
    }
    for (const network of networks) {
      const byPrefix = network.family === 4 ? (this.v4 ??= new Map()) : (this.v6 ??= new Map());
      let byBase = byPrefix.get(network.prefix);
      if (!byBase) byPrefix.set(network.prefix, (byBase = new Map()));
      if (!byBase.has(network.base)) byBase.set(network.base, entry);
    }
  }

  /** The earliest rule here whose addresses cover all of `networks` (or the same name, for a rule without networks). */
  coverOf(rule: HbaRule, networks: readonly Network[] | undefined): Earlier | undefined {
    if (!networks) return this.names?.get(rule.address ?? "local");
    let cover: Earlier | undefined;
    for (const network of networks) {
      const byPrefix = network.family === 4 ? this.v4 : this.v6;
      if (!byPrefix) return undefined;
      let found: Earlier | undefined;
      for (const [prefix, byBase] of byPrefix) {
        if (prefix <= network.prefix) found = earliest(found, byBase.get(network.base & mask(network.family, prefix)));
      }
      if (!found) return undefined;
      // Every one of the rule's networks must be covered; the last of their covers decides.
      cover = !cover || found.index > cover.index ? found : cover;
    }
    return cover;
  }
}

/** Buckets by type, then database list, then user list: nested maps look up keys without building new strings. */
type BucketIndex = Map<ConnectionType, Map<string, Map<string, Bucket>>>;

function bucketOf(index: BucketIndex, type: ConnectionType, databases: string, users: string): Bucket | undefined {
  return index.get(type)?.get(databases)?.get(users);
}

function addBucket(index: BucketIndex, type: ConnectionType, databases: string, users: string): Bucket {
  let byDatabases = index.get(type);
  if (!byDatabases) index.set(type, (byDatabases = new Map()));
  let byUsers = byDatabases.get(databases);
  if (!byUsers) byDatabases.set(databases, (byUsers = new Map()));
  let bucket = byUsers.get(users);
  if (!bucket) byUsers.set(users, (bucket = new Bucket()));
  return bucket;
}

/** What makes two rules with the same type and lists the same rule. */
const restKey = (rule: HbaRule) => `${rule.address ?? ""}|${rule.method}|${Object.keys(rule.options).length === 0 ? "" : JSON.stringify(rule.options)}`;

export function findShadowed(rules: readonly HbaRule[]): Shadowing[] {
  const buckets: BucketIndex = new Map();
  const results: Shadowing[] = [];
  for (const [index, rule] of rules.entries()) {
    const databases = tokensKey(rule.databases);
    const users = tokensKey(rule.users);
    const networks = ruleNetwork(rule);
    const own = addBucket(buckets, rule.type, databases, users);
    const rest = restKey(rule);
    const twin = own.twinOf(rest);
    if (twin) results.push({ rule, by: twin, duplicate: true });
    else {
      // `all` matches every database except replication connections.
      const databaseKeys = databases === "all" || rule.databases.some((token) => isKeyword(token, "replication")) ? [databases] : [databases, "all"];
      const userKeys = users === "all" ? [users] : [users, "all"];
      let by: Earlier | undefined;
      for (const type of COVERED_BY[rule.type]) {
        for (const db of databaseKeys) for (const user of userKeys) by = earliest(by, bucketOf(buckets, type, db, user)?.coverOf(rule, networks));
      }
      if (by) results.push({ rule, by: by.rule, duplicate: false });
    }
    own.add({ rule, index }, networks, rest);
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
