import assert from "node:assert/strict";
import { test } from "node:test";
import { networkContains, parseNetwork, type Network } from "../address.js";
import type { ConnectionType, HbaRule } from "../model.js";
import { findShadowed, shadowingOf } from "./shadow.js";

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES: ConnectionType[] = ["local", "host", "hostssl", "hostnossl"];
const DATABASES = [["all"], ["app"], ["replication"], ["app", "other"], ["other", "app"]];
const USERS = [["all"], ["u1"], ["u2"]];
const ADDRESSES = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "10.2.0.0/16", "fd00::/8", "fd00::1/128", "samehost"];
const METHODS = ["cert", "md5", "reject"];

function randomRules(seed: number, count: number): HbaRule[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return Array.from({ length: count }, (_, index) => {
    const type = pick(TYPES);
    const tokens = (values: readonly string[]) => values.map((value) => ({ value, quoted: false }));
    const address = type === "local" ? undefined : pick(ADDRESSES);
    const rule: HbaRule = { type, databases: tokens(pick(DATABASES)), users: tokens(pick(USERS)), method: pick(METHODS), options: {}, source: { file: "f", line: index + 1 }, text: `rule ${index + 1}` };
    return address === undefined ? rule : { ...rule, address };
  });
}

/** The definition, pair by pair: the first earlier twin, else the first earlier rule that always matches first. */
function reference(rules: readonly HbaRule[]): string[] {
  const list = (rule: HbaRule, which: "databases" | "users") => rule[which].map((token) => token.value).sort().join(",");
  const typeCovers = (earlier: ConnectionType, later: ConnectionType) => earlier === later || (earlier === "host" && later !== "local");
  const addressCovers = (earlier: HbaRule, later: HbaRule) => {
    const outer = earlier.address === undefined ? undefined : parseNetwork(earlier.address);
    const inner = later.address === undefined ? undefined : parseNetwork(later.address);
    if (!outer || !inner) return earlier.address === later.address;
    return networkContains(outer as Network, inner as Network);
  };
  const covers = (earlier: HbaRule, later: HbaRule) =>
    typeCovers(earlier.type, later.type) &&
    (list(earlier, "databases") === list(later, "databases") || (list(earlier, "databases") === "all" && !later.databases.some((token) => token.value === "replication"))) &&
    (list(earlier, "users") === list(later, "users") || list(earlier, "users") === "all") &&
    addressCovers(earlier, later);
  const same = (a: HbaRule, b: HbaRule) => a.type === b.type && list(a, "databases") === list(b, "databases") && list(a, "users") === list(b, "users") && a.address === b.address && a.method === b.method;
  const found: string[] = [];
  rules.forEach((rule, index) => {
    const earlier = rules.slice(0, index);
    const twin = earlier.find((other) => same(other, rule));
    if (twin) return void found.push(`${rule.source.line}<${twin.source.line} dup`);
    const by = earlier.find((other) => covers(other, rule));
    if (by) found.push(`${rule.source.line}<${by.source.line}`);
  });
  return found;
}

test("the indexed analysis finds exactly what comparing every pair finds", () => {
  for (let seed = 1; seed <= 25; seed++) {
    const rules = randomRules(seed, 250);
    const indexed = findShadowed(rules).map((shadow) => `${shadow.rule.source.line}<${shadow.by.source.line}${shadow.duplicate ? " dup" : ""}`);
    const expected = reference(rules);
    assert.ok(expected.length > 20, "the random files have shadowed rules");
    assert.deepEqual(indexed, expected, `seed ${seed}`);
  }
});

test("shadowingOf answers once per list of rules", () => {
  const rules = randomRules(7, 50);
  assert.equal(shadowingOf(rules), shadowingOf(rules), "the same analysis object for the same list");
  assert.deepEqual(shadowingOf(rules), findShadowed(rules));
});
