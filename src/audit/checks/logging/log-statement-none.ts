import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `log_statement = none`: schema and privilege changes leave no trace. */
export const logStatementNone: AuditCheck = settingCheck({
  id: "logging/log-statement-none",
  title: "No statement is logged",
  layer: "data",
  severity: "medium",
  soc2: ["CC7.2"],
  cis: "3.1.25",
  why: "With log_statement = none, CREATE, ALTER, DROP, GRANT and REVOKE leave no record: who changed a table, a role or a privilege cannot be told. pgwarden recommends ddl: every change of schema or privilege is logged, at little cost, without logging the data of each query (mod and all log every row's values and fill the disk).",
  fix: "ALTER SYSTEM SET log_statement = 'ddl'; SELECT pg_reload_conf(); -- from then on, CREATE/ALTER ROLE ... PASSWORD 'text' lands in the log as typed: set passwords as SCRAM verifiers (pgwarden password hash, or psql's \\password), never in clear text",
  setting: "log_statement",
  isWeak: (value) => value === "none",
  message: () => "log_statement is none: DDL and GRANT/REVOKE are not logged",
});
