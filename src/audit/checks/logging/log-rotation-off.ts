import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { writesLogFiles } from "./log-destinations.js";

/** Neither log_rotation_age nor log_rotation_size set: one log file grows for ever. */
export const logRotationOff: AuditCheck = {
  id: "logging/log-rotation-off",
  title: "Log files are never rotated",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.8",
  scope: "server",
  why: "How long to keep logs is a policy (pgdsat only prints these settings), but with both log_rotation_age and log_rotation_size at 0 there is no policy at all: one file grows until the disk is full and logs can neither be shipped nor expired piecewise. Any rotation (the default is a day or 10 MB) passes.",
  fix: "ALTER SYSTEM SET log_rotation_age = '1d'; ALTER SYSTEM SET log_rotation_size = '100MB'; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (!writesLogFiles(settings)) return [];
    if (settingValue(settings, "log_rotation_age") !== "0" || settingValue(settings, "log_rotation_size") !== "0")
      return [];
    return [
      {
        subject: "log_rotation",
        message: "log_rotation_age and log_rotation_size are both 0: the log file is never rotated",
        evidence: [settingEvidence(settings, "log_rotation_age"), settingEvidence(settings, "log_rotation_size")],
      },
    ];
  },
};
