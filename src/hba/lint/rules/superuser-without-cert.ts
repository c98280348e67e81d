import type { HbaToken } from "../../model.js";
import { isRegexToken, tokenRegex } from "../../parse/token-regex.js";
import type { LintContext, RuleCheck } from "../lint-rule.js";
import { REFUSING_METHODS, fromNetwork, hasAll } from "../scope.js";

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
    return context.superusers.filter((name) => name === group || (Object.hasOwn(memberOf, name) && memberOf[name]?.includes(group))).map((name) => [name, `member of ${group}`]);
  }
  if (isRegexToken(token)) {
    const pattern = tokenRegex(token);
    return pattern ? context.superusers.filter((name) => pattern.test(name)).map((name) => [name, `matched by ${token.value}`]) : [];
  }
  return context.superusers.includes(token.value) ? [[token.value, undefined]] : [];
}

export const superuserWithoutCert: RuleCheck = {
  id: "superuser-without-cert",
  severity: "high",
  title: "superuser reachable from the network without a certificate",
  why: "a superuser can read every table, run programs as the server's OS account and change any setting; a password alone is a thin wall for that.",
  check: (rule, context) => {
    if (!fromNetwork(rule) || REFUSING_METHODS.has(rule.method) || rule.method === "cert") return undefined;
    if (rule.options.clientcert === "verify-full") return undefined;
    let reached: string[];
    if (hasAll(rule.users)) reached = ["all roles, superusers included"];
    else {
      // Each superuser once, with the first token that reaches it.
      const how = new Map<string, string | undefined>();
      for (const token of rule.users) for (const [name, why] of superusersOf(token, context)) if (!how.has(name)) how.set(name, why);
      reached = [...how].map(([name, why]) => (why === undefined ? name : `${name} (${why})`));
    }
    return reached.length > 0
      ? { message: `${reached.join(", ")} from ${rule.address} with ${rule.method}`, fix: "reject superusers from the network (a reject line for them first), or require cert / clientcert=verify-full" }
      : undefined;
  },
};
