import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";
import { levelRank } from "./message-levels.js";

/** log_min_messages above warning (warnings lost) or at a debug level (the log flooded). */
export const logMinMessages: AuditCheck = settingCheck({
  id: "logging/log-min-messages",
  title: "The server log keeps too few or too many messages",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.14",
  why: "Above warning (error, log, fatal, panic) the log drops warnings such as failed archive commands or checkpoints too frequent; at a debug level it floods with internals, may hold data, and buries what matters. pgwarden accepts info, notice and warning (the default); pgdsat wants warning exactly.",
  fix: "ALTER SYSTEM SET log_min_messages = 'warning'; SELECT pg_reload_conf();",
  setting: "log_min_messages",
  isWeak: (level) => {
    const rank = levelRank(level);
    return rank >= 0 && (rank < levelRank("info") || rank > levelRank("warning"));
  },
  message: (level) =>
    levelRank(level) > levelRank("warning")
      ? `log_min_messages is ${level}: warnings are not logged`
      : `log_min_messages is ${level}: debug messages flood the log`,
});
