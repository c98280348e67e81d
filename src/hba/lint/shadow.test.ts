import assert from "node:assert/strict";
import { test } from "node:test";

import { seededRandom } from "../../../test/support/seeded-random.js";
import { networkContains, parseNetwork } from "../../core/address.js";
import { type HbaToken } from "../../core/auth-file-tokens.js";
import type { ConnectionType, HbaRule } from "../model.js";
import { findShadowed, shadowingOf } from "./shadow.js";

const TYPES: ConnectionType[] = ["local", "host", "hostssl", "hostnossl"];
/** Token pools, a quoted token written in double quotes; repeats make a token likelier. */
const DATABASE_TOKENS = [
  "all",
  "all",
  "all",
  "app",
  "app",
  "other",
  "third",
  "replication",
  '"replication"',
  '"all"',
  '"app"',
  "sameuser",
  "samerole",
  "samegroup",
  "/^a",
];
const USER_TOKENS = ["all", "all", "all", "u1", "u1", "u2", "u3", '"u1"', '"all"', "+g", "+u1", "/^u"];
const ADDRESSES = [
  "10.0.0.0/8",
  "10.1.0.0/16",
  "10.1.2.0/24",
  "10.1.2.3/32",
  "10.2.0.0/16",
  "fd00::/8",
  "fd00::1/128",
  "samehost",
];
const METHODS = ["cert", "md5", "reject"];

const token = (text: string) =>
  text.startsWith('"') ? { value: text.slice(1, -1), quoted: true } : { value: text, quoted: false };

function randomRules(seed: number, count: number): HbaRule[] {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  // Mostly one token, sometimes two or three (repeats included): lists that contain others, and lists that do not.
  const list = (pool: readonly string[]) =>
    Array.from({ length: next() < 0.6 ? 1 : next() < 0.75 ? 2 : 3 }, () => token(pick(pool)));
  return Array.from({ length: count }, (_, index) => {
    const type = pick(TYPES);
    const address = type === "local" ? undefined : pick(ADDRESSES);
    const rule: HbaRule = {
      type,
      databases: list(DATABASE_TOKENS),
      users: list(USER_TOKENS),
      method: pick(METHODS),
      options: {},
      source: { file: "f", line: index + 1 },
      text: `rule ${index + 1}`,
    };
    return address === undefined ? rule : { ...rule, address };
  });
}

/**
 * The definition, pair by pair: the first earlier twin, else the first earlier rule that always
 * matches first. A token covers another when both match the same (one plain name, quoted or not;
 * the same keyword, `+group` or `/regex`), or when it is the keyword all (for databases: except
 * the keyword replication); a list covers another when each of the other's tokens is covered.
 */
function reference(rules: readonly HbaRule[]): string[] {
  const databaseKeyword = (t: HbaToken) =>
    !t.quoted && ["all", "sameuser", "samerole", "samegroup", "replication"].includes(t.value);
  const special = (t: HbaToken, field: "databases" | "users") =>
    t.value.startsWith("/") ||
    (field === "databases" ? databaseKeyword(t) : !t.quoted && (t.value === "all" || t.value.startsWith("+")));
  const meaning = (t: HbaToken) => (t.value === "samegroup" ? "samerole" : t.value);
  const sameToken = (a: HbaToken, b: HbaToken, field: "databases" | "users") =>
    special(a, field) === special(b, field) && meaning(a) === meaning(b) && (special(a, field) || a.value === b.value);
  const isAll = (t: HbaToken) => !t.quoted && t.value === "all";
  const tokenCovers = (a: HbaToken, b: HbaToken, field: "databases" | "users") =>
    sameToken(a, b, field) || (isAll(a) && (field === "users" || !(b.value === "replication" && !b.quoted)));
  const listCovers = (earlier: HbaRule, later: HbaRule, field: "databases" | "users") =>
    later[field].every((b) => earlier[field].some((a) => tokenCovers(a, b, field)));
  const sameList = (x: HbaRule, y: HbaRule, field: "databases" | "users") =>
    x[field].every((a) => y[field].some((b) => sameToken(a, b, field))) &&
    y[field].every((b) => x[field].some((a) => sameToken(a, b, field)));
  const typeCovers = (earlier: ConnectionType, later: ConnectionType) =>
    earlier === later || (earlier === "host" && later !== "local");
  const addressCovers = (earlier: HbaRule, later: HbaRule) => {
    const outer = earlier.address === undefined ? undefined : parseNetwork(earlier.address);
    const inner = later.address === undefined ? undefined : parseNetwork(later.address);
    if (!outer || !inner) return earlier.address === later.address;
    return networkContains(outer, inner);
  };
  const covers = (earlier: HbaRule, later: HbaRule) =>
    typeCovers(earlier.type, later.type) &&
    listCovers(earlier, later, "databases") &&
    listCovers(earlier, later, "users") &&
    addressCovers(earlier, later);
  const same = (a: HbaRule, b: HbaRule) =>
    a.type === b.type &&
    sameList(a, b, "databases") &&
    sameList(a, b, "users") &&
    a.address === b.address &&
    a.method === b.method;
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

/** How many of the shadowed rules (not twins) are shadowed by a rule with more distinct database or user tokens, none of them all. */
function byWiderList(rules: readonly HbaRule[], found: readonly string[]): number {
  const distinct = (tokens: readonly HbaToken[]) => new Set(tokens.map((t) => `${t.quoted}${t.value}`)).size;
  return found
    .filter((entry) => !entry.endsWith("dup"))
    .map((entry) => entry.split("<").map((line) => rules[Number(line) - 1] as HbaRule))
    .filter(([later, earlier]) =>
      (["databases", "users"] as const).some(
        (field) =>
          earlier &&
          later &&
          distinct(earlier[field]) > distinct(later[field]) &&
          !earlier[field].some((t) => t.value === "all" && !t.quoted),
      ),
    ).length;
}

test("the indexed analysis finds exactly what comparing every pair finds", () => {
  for (let seed = 1; seed <= 25; seed++) {
    const rules = randomRules(seed, 250);
    const indexed = findShadowed(rules).map(
      (shadow) => `${shadow.rule.source.line}<${shadow.by.source.line}${shadow.duplicate ? " dup" : ""}`,
    );
    const expected = reference(rules);
    assert.ok(expected.length > 20, "the random files have shadowed rules");
    assert.ok(
      byWiderList(rules, expected) > 0,
      `seed ${seed}: some rules are shadowed by a longer list that is not all`,
    );
    assert.deepEqual(indexed, expected, `seed ${seed}`);
  }
});

test("shadowingOf answers once per list of rules", () => {
  const rules = randomRules(7, 50);
  assert.equal(shadowingOf(rules), shadowingOf(rules), "the same analysis object for the same list");
  assert.deepEqual(shadowingOf(rules), findShadowed(rules));
});
