import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** The names PostgreSQL's time zone database gives Coordinated Universal Time. */
const UTC_NAMES: readonly string[] = [
  "utc",
  "gmt",
  "etc/utc",
  "etc/gmt",
  "etc/uct",
  "uct",
  "etc/universal",
  "universal",
  "etc/zulu",
  "zulu",
  "etc/greenwich",
  "greenwich",
  "gmt0",
  "etc/gmt0",
  "etc/gmt+0",
  "etc/gmt-0",
];

/** log_timezone other than UTC: log times of a fleet in several zones, with gaps and repeats at DST changes. */
export const logTimezone: AuditCheck = settingCheck({
  id: "logging/log-timezone",
  title: "The log is not in UTC",
  layer: "data",
  severity: "info",
  soc2: ["CC7.2"],
  cis: "3.1.26",
  why: "Reconstructing an incident means merging the logs of every server: in UTC they sort as they are, while local zones repeat an hour at each change from summer time and differ between hosts.",
  fix: "ALTER SYSTEM SET log_timezone = 'UTC'; SELECT pg_reload_conf();",
  setting: "log_timezone",
  isWeak: (zone) => !UTC_NAMES.includes(zone.toLowerCase()),
  message: (zone) => `log_timezone is ${zone}, not UTC`,
});
