import type { RuleCheck } from "../lint-rule.js";
import { fromNetwork, hasAll, REFUSING_METHODS } from "../scope.js";

export const allAllFromNetwork: RuleCheck = {
  id: "all-all-from-network",
  severity: "medium",
  title: "every role to every database from the network",
  why: "all/all rules give every role, including ones created later for other purposes, a way in from the network.",
  check: (rule) =>
    hasAll(rule.databases) && hasAll(rule.users) && fromNetwork(rule) && !REFUSING_METHODS.has(rule.method)
      ? {
          message: `all users to all databases from ${rule.address}`,
          fix: "name the roles (or a +group) and databases this network needs",
        }
      : undefined,
};
