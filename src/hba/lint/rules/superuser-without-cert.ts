import type { RuleCheck } from "../lint-rule.js";
import { REFUSING_METHODS, fromNetwork, hasAll } from "../scope.js";

export const superuserWithoutCert: RuleCheck = {
  id: "superuser-without-cert",
  severity: "high",
  title: "superuser reachable from the network without a certificate",
  why: "a superuser can read every table, run programs as the server's OS account and change any setting; a password alone is a thin wall for that.",
  check: (rule, context) => {
    if (!fromNetwork(rule) || REFUSING_METHODS.has(rule.method) || rule.method === "cert") return undefined;
    if (rule.options.clientcert === "verify-full") return undefined;
    const named = rule.users.filter((token) => context.superusers.includes(token.value)).map((token) => token.value);
    const reached = hasAll(rule.users) ? ["all roles, superusers included"] : named;
    return reached.length > 0
      ? { message: `${reached.join(", ")} from ${rule.address} with ${rule.method}`, fix: "reject superusers from the network (a reject line for them first), or require cert / clientcert=verify-full" }
      : undefined;
  },
};
