import { type Settings, settingValue } from "../../facts/settings.js";

/** log_destination as a list: `stderr`, `csvlog`, `jsonlog`, `syslog`, `eventlog`. */
export function logDestinations(settings: Settings): string[] {
  return (settingValue(settings, "log_destination") ?? "")
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "");
}

/** The destinations the logging collector writes to files (csvlog and jsonlog are written only by it). */
export const FILE_DESTINATIONS: readonly string[] = ["stderr", "csvlog", "jsonlog"];

/** Whether the server writes log files of its own: the collector is on and a file destination is chosen. */
export function writesLogFiles(settings: Settings): boolean {
  return (
    settingValue(settings, "logging_collector") === "on" &&
    logDestinations(settings).some((destination) => FILE_DESTINATIONS.includes(destination))
  );
}
