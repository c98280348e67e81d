import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** `log_connections = off`: no record of who logged in from where. */
export const logConnections: AuditCheck = {
  id: "logging/log-connections",
  title: "Connections are not logged",
  layer: "data",
  severity: "medium",
  soc2: ["CC7.2"],
  cis: "3.1.20",
  scope: "server",
  why: "Without a log line per connection there is no trace of who logged in, from where and with which method: a breach cannot be detected or reconstructed.",
  fix: "ALTER SYSTEM SET log_connections = on; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "log_connections") !== "off") return [];
    return [
      {
        subject: "log_connections",
        message: "log_connections is off",
        evidence: [settingEvidence(settings, "log_connections")],
      },
    ];
  },
};
