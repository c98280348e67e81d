import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { logDestinations } from "./log-destinations.js";

/** `logging_collector = off` while the server logs to stderr, csvlog or jsonlog. */
export const loggingCollectorOff: AuditCheck = {
  id: "logging/logging-collector-off",
  title: "The logging collector is off",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.3",
  scope: "server",
  why: "Without the logging collector, csvlog and jsonlog are not written at all, and stderr goes wherever the postmaster's stderr happens to go (a file pg_ctl opened, the journal, nowhere): no rotation, no log_file_mode, messages of several processes may interleave. syslog or eventlog alone need no collector.",
  fix: "ALTER SYSTEM SET logging_collector = on; -- then restart the server",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "logging_collector") !== "off") return [];
    const destinations = logDestinations(settings);
    const lost = destinations.filter((destination) => destination === "csvlog" || destination === "jsonlog");
    const evidence = [settingEvidence(settings, "logging_collector"), settingEvidence(settings, "log_destination")];
    if (lost.length > 0)
      return [
        {
          subject: "logging_collector",
          message: `logging_collector is off: the ${lost.join(" and ")} log is not written at all`,
          evidence,
          severity: "high",
        },
      ];
    if (!destinations.includes("stderr")) return [];
    return [
      {
        subject: "logging_collector",
        message: "logging_collector is off: the log is whatever catches the postmaster's stderr",
        evidence,
      },
    ];
  },
};
