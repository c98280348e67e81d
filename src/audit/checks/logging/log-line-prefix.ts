import { type AuditCheck } from "../../audit-check.js";
import { type Settings } from "../../facts/settings.js";
import { settingCheck } from "../setting-check.js";
import { logDestinations } from "./log-destinations.js";

/**
 * What a log line must say to be evidence, the escapes of log_line_prefix that say it, and
 * whether syslog and eventlog say it themselves (they stamp each message with its time).
 */
const REQUIRED_ESCAPES: readonly {
  readonly what: string;
  readonly escapes: readonly string[];
  readonly stampedBySyslog?: boolean;
}[] = [
  { what: "time (%m or %t)", escapes: ["m", "t", "n"], stampedBySyslog: true },
  { what: "user (%u)", escapes: ["u"] },
  { what: "database (%d)", escapes: ["d"] },
  { what: "client (%h or %r)", escapes: ["h", "r"] },
];

/** The escapes a log_line_prefix uses: `%m [%p] %u` -> m, p, u (`%%` is a literal percent; `%-10u` pads). */
export function prefixEscapes(prefix: string): Set<string> {
  const escapes = new Set<string>();
  for (const match of prefix.matchAll(/%(-?[0-9]*)([A-Za-z%])/g)) if (match[2] !== "%") escapes.add(match[2] ?? "");
  return escapes;
}

/**
 * What a log line written with `prefix` does not say; nothing when only csvlog or jsonlog is
 * written (they carry every field).
 */
function missingFields(prefix: string, settings: Settings): typeof REQUIRED_ESCAPES {
  const destinations = logDestinations(settings);
  if (destinations.length > 0 && destinations.every((d) => d === "csvlog" || d === "jsonlog")) return [];
  const escapes = prefixEscapes(prefix);
  const stamped = !destinations.includes("stderr");
  return REQUIRED_ESCAPES.filter(
    (required) => !(stamped && required.stampedBySyslog) && !required.escapes.some((escape) => escapes.has(escape)),
  );
}

/** A log_line_prefix that does not say who did it, in which database, from where and when. */
export const logLinePrefix: AuditCheck = settingCheck({
  id: "logging/log-line-prefix",
  title: "Log lines do not say who, where and when",
  layer: "data",
  severity: "medium",
  soc2: ["CC7.2"],
  cis: "3.1.24",
  why: "A log line that does not name the user, the database, the client address and the time cannot be tied to anyone: the statement and connection logs are then no evidence. csvlog and jsonlog carry these fields anyway, so the prefix only matters for stderr and syslog (which adds the time itself).",
  fix: "ALTER SYSTEM SET log_line_prefix = '%m [%p] user=%u,db=%d,app=%a,client=%h '; SELECT pg_reload_conf();",
  setting: "log_line_prefix",
  isWeak: (prefix, settings) => missingFields(prefix, settings).length > 0,
  message: (prefix, settings) =>
    `log_line_prefix does not log the ${missingFields(prefix, settings)
      .map((required) => required.what)
      .join(", ")}`,
  shownWith: ["log_destination"],
});
