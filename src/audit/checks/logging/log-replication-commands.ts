import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** `log_replication_commands = off`: base backups and replication slots leave no trace. */
export const logReplicationCommands: AuditCheck = settingCheck({
  id: "logging/log-replication-commands",
  title: "Replication commands are not logged",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "7.2",
  why: "A replication connection can copy the whole cluster (BASE_BACKUP) or stream every change: without log_replication_commands such a copy leaves only a connection line behind.",
  fix: "ALTER SYSTEM SET log_replication_commands = on; SELECT pg_reload_conf();",
  setting: "log_replication_commands",
  isWeak: (value) => value === "off",
  message: () => "log_replication_commands is off",
});
