import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";
import { levelRank } from "./message-levels.js";

/** log_min_error_statement above error: the statement that failed is not logged with its error. */
export const logMinErrorStatement: AuditCheck = settingCheck({
  id: "logging/log-min-error-statement",
  title: "Failing statements are not logged",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.15",
  why: "Probing leaves errors: permission denied, a relation that does not exist, a syntax error from an injection attempt. With log_min_error_statement at error (the default) or below, each such error is logged with the statement that caused it; above error (log, fatal, panic) only the error is.",
  fix: "ALTER SYSTEM SET log_min_error_statement = 'error'; SELECT pg_reload_conf();",
  setting: "log_min_error_statement",
  isWeak: (level) => levelRank(level) > levelRank("error"),
  message: (level) => `log_min_error_statement is ${level}: the statements of failing queries are not logged`,
});
