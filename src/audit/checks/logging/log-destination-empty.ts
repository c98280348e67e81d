import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";
import { logDestinations } from "./log-destinations.js";

/** `log_destination = ''`: the server is told to log nowhere. */
export const logDestinationEmpty: AuditCheck = settingCheck({
  id: "logging/log-destination-empty",
  title: "No log destination is set",
  layer: "data",
  severity: "high",
  soc2: ["CC7.2"],
  cis: "3.1.2",
  why: "With an empty log_destination no log is written anywhere: connections, errors and statements leave no trace at all.",
  fix: "ALTER SYSTEM SET log_destination = 'stderr'; SELECT pg_reload_conf();",
  setting: "log_destination",
  isWeak: (_value, settings) => logDestinations(settings).length === 0,
  message: () => "log_destination is empty",
});
