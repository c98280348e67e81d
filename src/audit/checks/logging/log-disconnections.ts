import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** `log_disconnections = off`: no record of how long a session lasted. */
export const logDisconnections: AuditCheck = {
  id: "logging/log-disconnections",
  title: "Disconnections are not logged",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.21",
  scope: "server",
  why: "The end of each session, with its duration, closes the trace log_connections opens: without it a session's length and end cannot be reconstructed after an incident.",
  fix: "ALTER SYSTEM SET log_disconnections = on; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "log_disconnections") !== "off") return [];
    return [
      {
        subject: "log_disconnections",
        message: "log_disconnections is off",
        evidence: [settingEvidence(settings, "log_disconnections")],
      },
    ];
  },
};
