import type { RuleCheck } from "../lint-rule.js";

export const passwordCleartext: RuleCheck = {
  id: "password-cleartext",
  severity: "high",
  title: "cleartext password authentication",
  why: "method password sends the password itself over the wire; without TLS anyone on the path reads it, and the server sees it in clear.",
  check: (rule) =>
    rule.method === "password"
      ? { message: "passwords are sent in clear text", fix: "use scram-sha-256 (over hostssl), or cert" }
      : undefined,
};
