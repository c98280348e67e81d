import { type LintContext } from "../../hba/lint/lint-rule.js";
import { readServerContext } from "../../hba/server-context.js";
import { type Fact } from "../fact.js";

/**
 * What the server tells hba lint beyond its rules, read as `pgwarden hba lint --conn` reads it:
 * the superusers, whether ssl is on, and the map names of pg_ident.conf (when the login may read them).
 */
export const authLintContextFact: Fact<LintContext> = {
  id: "auth-lint-context",
  scope: "server",
  collect: (source) => readServerContext(source.client),
};
