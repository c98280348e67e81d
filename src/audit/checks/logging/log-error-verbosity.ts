import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `log_error_verbosity = terse`: errors logged without their DETAIL, HINT, QUERY and CONTEXT. */
export const logErrorVerbosity: AuditCheck = settingCheck({
  id: "logging/log-error-verbosity",
  title: "Errors are logged tersely",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.22",
  why: "terse drops the DETAIL, HINT, QUERY and CONTEXT of each error: which role lacked which privilege, which function raised it. pgwarden accepts default and verbose (pgdsat asks for verbose, which only adds the source file and line of the server's C code).",
  fix: "ALTER SYSTEM SET log_error_verbosity = 'default'; SELECT pg_reload_conf();",
  setting: "log_error_verbosity",
  isWeak: (value) => value === "terse",
  message: () => "log_error_verbosity is terse",
});
