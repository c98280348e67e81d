import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `log_disconnections = off`: no record of how long a session lasted. */
export const logDisconnections: AuditCheck = settingCheck({
  id: "logging/log-disconnections",
  title: "Disconnections are not logged",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.21",
  why: "The end of each session, with its duration, closes the trace log_connections opens: without it a session's length and end cannot be reconstructed after an incident.",
  fix: "ALTER SYSTEM SET log_disconnections = on; SELECT pg_reload_conf();",
  setting: "log_disconnections",
  isWeak: (value) => value === "off",
  message: () => "log_disconnections is off",
});
