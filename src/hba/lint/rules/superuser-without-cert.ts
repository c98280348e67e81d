import { networkContains } from "../../../core/address.js";
import { type HbaToken } from "../../../core/auth-file-tokens.js";
import type { HbaRule } from "../../model.js";
import { isRegexToken, tokenRegex } from "../../parse/token-regex.js";
import { isKeyword } from "../../rule-address.js";
import type { LintContext, RuleCheck, RulePosition } from "../lint-rule.js";
import { fromNetwork, hasAll, REFUSING_METHODS, ruleNetwork } from "../scope.js";

/**
 * The superusers a user token reaches, each with how (undefined for its own name), as hba.c
 * check_role reads the token: `+group` (unquoted) is the group's members, the role itself
 * included; a `/regex` (quoted or not) is the names it matches, as PostgreSQL 16 and later
 * read it (before 16 it is a name no superuser has); anything else is one name.
 */
function superusersOf(token: HbaToken, context: LintContext): [string, string | undefined][] {
  if (!token.quoted && token.value.startsWith("+")) {
    const group = token.value.slice(1);
    const memberOf = context.superuserMemberOf ?? {};
    return context.superusers
      .filter((name) => name === group || (Object.hasOwn(memberOf, name) && memberOf[name]?.includes(group)))
      .map((name) => [name, `member of ${group}`]);
  }
  if (isRegexToken(token)) {
    const pattern = tokenRegex(token);
    return pattern
      ? context.superusers.filter((name) => pattern.test(name)).map((name) => [name, `matched by ${token.value}`])
      : [];
  }
  return context.superusers.includes(token.value) ? [[token.value, undefined]] : [];
}

/** host matches every TCP connection; the others their own kind only. */
const typeCovers = (earlier: HbaRule, rule: HbaRule) =>
  earlier.type === rule.type || (earlier.type === "host" && rule.type !== "local");

/** `all` covers every database but replication (hba.c check_db); else the same tokens. */
function databasesCover(earlier: HbaRule, rule: HbaRule): boolean {
  if (hasAll(earlier.databases)) return !rule.databases.some((token) => isKeyword(token, "replication"));
  return rule.databases.every((token) =>
    earlier.databases.some((other) => other.value === token.value && other.quoted === token.quoted),
  );
}

function addressCovers(earlier: HbaRule, rule: HbaRule): boolean {
  const outer = ruleNetwork(earlier);
  const inner = ruleNetwork(rule);
  return (
    outer !== undefined &&
    inner !== undefined &&
    inner.every((network) => outer.some((wide) => networkContains(wide, network)))
  );
}

/**
 * Does an earlier rule always match `superuser` first wherever `rule` would? PostgreSQL uses the
 * first rule that matches and never falls through, so the superuser never reaches this one
 * (Pigsty's `+dbrole_readonly` intranet rule after the admin's own intranet rule).
 */
function caughtEarlier(
  superuser: string,
  rule: HbaRule,
  context: LintContext,
  position: RulePosition | undefined,
): boolean {
  if (!position) return false;
  for (let index = 0; index < position.index; index++) {
    const earlier = position.rules[index] as HbaRule;
    if (!typeCovers(earlier, rule) || !databasesCover(earlier, rule) || !addressCovers(earlier, rule)) continue;
    if (
      hasAll(earlier.users) ||
      earlier.users.some((token) => superusersOf(token, context).some(([name]) => name === superuser))
    )
      return true;
  }
  return false;
}

export const superuserWithoutCert: RuleCheck = {
  id: "superuser-without-cert",
  severity: "high",
  title: "superuser reachable from the network without a certificate",
  why: "a superuser can read every table, run programs as the server's OS account and change any setting; a password alone is a thin wall for that.",
  check: (rule, context, position) => {
    if (!fromNetwork(rule) || REFUSING_METHODS.has(rule.method) || rule.method === "cert") return undefined;
    if (rule.options.clientcert === "verify-full") return undefined;
    let reached: string[];
    if (hasAll(rule.users)) reached = ["all roles, superusers included"];
    else {
      // Each superuser once, with the first token that reaches it, unless an earlier rule always takes it first.
      const how = new Map<string, string | undefined>();
      for (const token of rule.users)
        for (const [name, why] of superusersOf(token, context)) if (!how.has(name)) how.set(name, why);
      reached = [...how]
        .filter(([name]) => !caughtEarlier(name, rule, context, position))
        .map(([name, why]) => (why === undefined ? name : `${name} (${why})`));
    }
    return reached.length > 0
      ? {
          message: `${reached.join(", ")} from ${rule.address} with ${rule.method}`,
          fix: "reject superusers from the network (a reject line for them first), or require cert / clientcert=verify-full",
        }
      : undefined;
  },
};
