import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { logDestinations } from "./log-destinations.js";

/** The syslog settings that keep messages from being suppressed as repeats or truncated (pgdsat 3.1.11, 3.1.12). */
const SYSLOG_SETTINGS: readonly { readonly name: string; readonly without: string }[] = [
  { name: "syslog_sequence_numbers", without: "repeated identical messages may be suppressed by syslog" },
  { name: "syslog_split_messages", without: "long messages may be truncated by syslog" },
];

/** Logging to syslog with sequence numbers or message splitting off. */
export const syslogLossy: AuditCheck = {
  id: "logging/syslog-lossy",
  title: "syslog may drop or cut messages",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.11",
  scope: "server",
  why: "Many syslog daemons replace identical consecutive messages with 'last message repeated N times' and cut messages at 1 KB or so: syslog_sequence_numbers and syslog_split_messages (both on by default) keep every message whole and countable (CIS 3.1.11, 3.1.12).",
  fix: "ALTER SYSTEM SET syslog_sequence_numbers = on; ALTER SYSTEM SET syslog_split_messages = on; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (!logDestinations(settings).includes("syslog")) return [];
    return SYSLOG_SETTINGS.filter((setting) => settingValue(settings, setting.name) === "off").map((setting) => ({
      subject: setting.name,
      message: `${setting.name} is off while logging to syslog: ${setting.without}`,
      evidence: [settingEvidence(settings, setting.name), settingEvidence(settings, "log_destination")],
      fix: `ALTER SYSTEM SET ${setting.name} = on; SELECT pg_reload_conf();`,
    }));
  },
};
