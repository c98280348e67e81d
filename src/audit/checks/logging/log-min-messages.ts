import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { levelRank } from "./message-levels.js";

/** log_min_messages above warning (warnings lost) or at a debug level (the log flooded). */
export const logMinMessages: AuditCheck = {
  id: "logging/log-min-messages",
  title: "The server log keeps too few or too many messages",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.14",
  scope: "server",
  why: "Above warning (error, log, fatal, panic) the log drops warnings such as failed archive commands or checkpoints too frequent; at a debug level it floods with internals, may hold data, and buries what matters. pgwarden accepts info, notice and warning (the default); pgdsat wants warning exactly.",
  fix: "ALTER SYSTEM SET log_min_messages = 'warning'; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const level = settingValue(settings, "log_min_messages");
    const rank = levelRank(level);
    if (rank < 0 || (rank >= levelRank("info") && rank <= levelRank("warning"))) return [];
    const evidence = [settingEvidence(settings, "log_min_messages")];
    if (rank > levelRank("warning"))
      return [
        { subject: "log_min_messages", message: `log_min_messages is ${level}: warnings are not logged`, evidence },
      ];
    return [
      { subject: "log_min_messages", message: `log_min_messages is ${level}: debug messages flood the log`, evidence },
    ];
  },
};
