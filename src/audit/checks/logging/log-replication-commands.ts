import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** `log_replication_commands = off`: base backups and replication slots leave no trace. */
export const logReplicationCommands: AuditCheck = {
  id: "logging/log-replication-commands",
  title: "Replication commands are not logged",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "7.2",
  scope: "server",
  why: "A replication connection can copy the whole cluster (BASE_BACKUP) or stream every change: without log_replication_commands such a copy leaves only a connection line behind.",
  fix: "ALTER SYSTEM SET log_replication_commands = on; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "log_replication_commands") !== "off") return [];
    return [
      {
        subject: "log_replication_commands",
        message: "log_replication_commands is off",
        evidence: [settingEvidence(settings, "log_replication_commands")],
      },
    ];
  },
};
