import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `log_connections = off`: no record of who logged in from where. */
export const logConnections: AuditCheck = settingCheck({
  id: "logging/log-connections",
  title: "Connections are not logged",
  layer: "data",
  severity: "medium",
  soc2: ["CC7.2"],
  cis: "3.1.20",
  why: "Without a log line per connection there is no trace of who logged in, from where and with which method: a breach cannot be detected or reconstructed.",
  fix: "ALTER SYSTEM SET log_connections = on; SELECT pg_reload_conf();",
  setting: "log_connections",
  isWeak: (value) => value === "off",
  message: () => "log_connections is off",
});
