import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { logDestinations } from "./log-destinations.js";

/** `log_destination = ''`: the server is told to log nowhere. */
export const logDestinationEmpty: AuditCheck = {
  id: "logging/log-destination-empty",
  title: "No log destination is set",
  layer: "data",
  severity: "high",
  soc2: ["CC7.2"],
  cis: "3.1.2",
  scope: "server",
  why: "With an empty log_destination no log is written anywhere: connections, errors and statements leave no trace at all.",
  fix: "ALTER SYSTEM SET log_destination = 'stderr'; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "log_destination") === undefined || logDestinations(settings).length > 0) return [];
    return [
      {
        subject: "log_destination",
        message: "log_destination is empty",
        evidence: [settingEvidence(settings, "log_destination")],
      },
    ];
  },
};
