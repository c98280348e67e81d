import type { RuleCheck } from "../lint-rule.js";
import { fromNetwork } from "../scope.js";

export const trustFromNetwork: RuleCheck = {
  id: "trust-from-network",
  severity: "critical",
  title: "trust over TCP from beyond this host",
  why: "trust lets anyone who can reach the port log in as any role the rule names, with no password and no certificate.",
  check: (rule) =>
    rule.method === "trust" && fromNetwork(rule)
      ? {
          message: `${rule.address} may connect without any authentication`,
          fix: "use cert (hostssl) or scram-sha-256 over hostssl, or narrow the rule to local/127.0.0.1/32",
        }
      : undefined,
};
