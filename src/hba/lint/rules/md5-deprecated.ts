import type { RuleCheck } from "../lint-rule.js";

export const md5Deprecated: RuleCheck = {
  id: "md5-deprecated",
  severity: "medium",
  title: "md5 password authentication",
  why: "md5 verifiers are password-equivalent (a stolen pg_authid row logs in) and md5 is deprecated since PostgreSQL 18.",
  check: (rule) =>
    rule.method === "md5"
      ? {
          message: "md5 authentication",
          fix: "set password_encryption = scram-sha-256, reset the passwords, and use scram-sha-256",
        }
      : undefined,
};
