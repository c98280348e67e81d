import { type AuditCheck } from "../../audit-check.js";
import { fileSettingErrorsFact } from "../../facts/file-settings.js";

/**
 * pg_file_settings marks a setting that changed in the file but needs a restart with this
 * error: it is pending, not wrong (pg_settings.pending_restart says the same).
 */
const PENDING_RESTART_ERROR = "setting could not be applied";

/** Lines of postgresql.conf (or its includes) the server rejects. */
export const fileSettingsErrors: AuditCheck = {
  id: "integrity/file-settings-errors",
  title: "The configuration files contain errors",
  layer: "data",
  severity: "high",
  soc2: ["CC9.1"],
  scope: "server",
  why: "A reload skips a file with an error and keeps the old values, so what the file says is not what runs (a hardening change that never took effect); and a restart refuses to start with such an error, turning the next reboot into an outage.",
  fix: "correct the line named in the evidence, then SELECT pg_reload_conf(); and check SELECT * FROM pg_file_settings WHERE error IS NOT NULL; returns nothing",
  facts: [fileSettingErrorsFact],
  run(context) {
    return context
      .fact(fileSettingErrorsFact)
      .filter((entry) => entry.error !== PENDING_RESTART_ERROR)
      .map((entry) => ({
        subject: `${entry.source.file}:${entry.source.line}`,
        message: `${entry.source.file}:${entry.source.line}: ${entry.name ? `${entry.name}: ` : ""}${entry.error}`,
        evidence: [
          {
            label: entry.name ? `setting ${entry.name}` : "configuration line",
            value: `pg_file_settings.error = ${entry.error}`,
            source: entry.source,
          },
        ],
        source: entry.source,
      }));
  },
};
