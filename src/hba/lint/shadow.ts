import type { Network } from "../address.js";
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

/** Connection types whose connections an earlier rule of `type` also catches. */
const COVERS: Record<ConnectionType, readonly ConnectionType[]> = {
  local: ["local"],
  host: ["host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc"],
  hostssl: ["hostssl"],
  hostnossl: ["hostnossl"],
  hostgssenc: ["hostgssenc"],
  hostnogssenc: ["hostnogssenc"],
};

const networkKey = (network: Network) => `${network.family}/${network.prefix}/${network.base.toString(16)}`;

function masked(network: Network, prefix: number): Network {
  const width = network.family === 4 ? 32 : 128;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(width - prefix);
  return { family: network.family, prefix, base: network.base & mask };
}

interface Earlier {
  readonly rule: HbaRule;
  /** Position in the file (after includes): earlier is smaller. */
  readonly index: number;
}

const earliest = (a: Earlier | undefined, b: Earlier | undefined) => (!a ? b : !b ? a : a.index <= b.index ? a : b);

/** Earlier rules with the same type and lists: networks by key, other addresses by their text. */
class Bucket {
  private readonly networks = new Map<string, Earlier>();
  private readonly names = new Map<string, Earlier>();
  private readonly prefixes = { 4: new Set<number>(), 6: new Set<number>() };

  add(entry: Earlier): void {
    const networks = ruleNetwork(entry.rule);
    if (!networks) {
      const key = entry.rule.address ?? "local";
      if (!this.names.has(key)) this.names.set(key, entry);
      return;
    }
    for (const network of networks) {
      const key = networkKey(network);
      if (!this.networks.has(key)) this.networks.set(key, entry);
      this.prefixes[network.family].add(network.prefix);
    }
  }

  /** The earliest rule here whose addresses cover all of `rule`'s. */
  coverOf(rule: HbaRule): Earlier | undefined {
    const networks = ruleNetwork(rule);
    if (!networks) return this.names.get(rule.address ?? "local");
    let cover: Earlier | undefined;
    for (const network of networks) {
      let found: Earlier | undefined;
      for (const prefix of this.prefixes[network.family]) {
        if (prefix <= network.prefix) found = earliest(found, this.networks.get(networkKey(masked(network, prefix))));
      }
      if (!found) return undefined;
      // Every one of the rule's networks must be covered; the last of their covers decides.
      cover = !cover || found.index > cover.index ? found : cover;
    }
    return cover;
  }
}

export function findShadowed(rules: readonly HbaRule[]): Shadowing[] {
  const buckets = new Map<string, Bucket>();
  const exact = new Map<string, HbaRule>();
  const results: Shadowing[] = [];
  for (const [index, rule] of rules.entries()) {
    const fullKey = `${rule.type}|${tokensKey(rule.databases)}|${tokensKey(rule.users)}|${rule.address ?? ""}|${rule.method}|${JSON.stringify(rule.options)}`;
    const twin = exact.get(fullKey);
    if (twin) results.push({ rule, by: twin, duplicate: true });
    else {
      const databaseKeys = new Set([tokensKey(rule.databases)]);
      // `all` matches every database except replication connections.
      if (!rule.databases.some((token) => isKeyword(token, "replication"))) databaseKeys.add("all");
      const userKeys = new Set([tokensKey(rule.users), "all"]);
      let by: Earlier | undefined;
      for (const type of Object.keys(COVERS) as ConnectionType[]) {
        if (!COVERS[type].includes(rule.type)) continue;
        for (const db of databaseKeys) for (const user of userKeys) by = earliest(by, buckets.get(`${type}|${db}|${user}`)?.coverOf(rule));
      }
      if (by) results.push({ rule, by: by.rule, duplicate: false });
      exact.set(fullKey, rule);
    }
    const key = `${rule.type}|${tokensKey(rule.databases)}|${tokensKey(rule.users)}`;
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = new Bucket()));
    bucket.add({ rule, index });
  }
  return results;
}
