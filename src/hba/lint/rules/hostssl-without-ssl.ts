import type { RuleCheck } from "../lint-rule.js";

export const hostsslWithoutSsl: RuleCheck = {
  id: "hostssl-while-ssl-off",
  severity: "high",
  title: "hostssl rule while ssl = off",
  why: "with ssl off no session is TLS, so hostssl rules never match: the access they were meant to grant (or protect) is not what happens.",
  check: (rule, context) =>
    context.ssl === false && rule.type === "hostssl"
      ? {
          message: "hostssl rule, but the server runs with ssl = off",
          fix: "turn TLS on (pgwarden pg tls) or the rule is dead",
        }
      : undefined,
};
