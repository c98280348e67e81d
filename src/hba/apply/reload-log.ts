/**
 * What the server's log says about one reload (PostgreSQL 10-17, messages in English):
 * the postmaster logs "received SIGHUP, reloading configuration files", then, only when it
 * keeps its old access rules, why, and "pg_hba.conf was not reloaded".
 */
export type ReloadVerdict =
  | { readonly kind: "loaded" }
  | { readonly kind: "not-loaded"; readonly reason: string }
  | { readonly kind: "unconfirmed"; readonly why: string };

export const RELOAD_MARKER = "received SIGHUP, reloading configuration files";
export const HBA_NOT_RELOADED = "pg_hba.conf was not reloaded";

/** A log line's message without the log_line_prefix (whatever it is): from the severity tag on. */
const MESSAGE = /\b(?:LOG|WARNING|ERROR|FATAL|DETAIL|HINT|CONTEXT):\s+(.*)$/;
/** Lines of a reload that are not about pg_hba.conf. */
const UNRELATED =
  /parameter ".*" (?:changed|cannot be changed)|configuration file ".*postgresql\.auto\.conf"|pg_ident\.conf|SSL configuration/;

/**
 * Reads the log from before the reload up to pgwarden's own marker (`sentinel`), logged by a
 * session that began after the postmaster had finished the reload, so every line of the
 * reload is before it. Without the marker, or without the reload line, nothing is known.
 */
export function reloadVerdict(logText: string, sentinel: string): ReloadVerdict {
  const end = logText.indexOf(sentinel);
  if (end < 0)
    return { kind: "unconfirmed", why: "pgwarden's marker never reached the log file (is it the server's log?)" };
  const lines = logText.slice(0, end).split("\n");
  // The last reload before the marker: a concurrent one by someone else read the same file.
  const start = lines.map((line) => line.includes(RELOAD_MARKER)).lastIndexOf(true);
  if (start < 0) {
    return {
      kind: "unconfirmed",
      why: `the log has no "${RELOAD_MARKER}" line: the server logs in another language (set lc_messages = 'C') or above LOG (log_min_messages)`,
    };
  }
  const reload = lines.slice(start + 1);
  const failed = reload.findIndex((line) => line.includes(HBA_NOT_RELOADED));
  if (failed < 0) return { kind: "loaded" };
  const why = reload
    .slice(0, failed)
    .map((line) => MESSAGE.exec(line)?.[1]?.trim())
    .filter((message): message is string => message !== undefined && message !== "" && !UNRELATED.test(message));
  return { kind: "not-loaded", reason: why.length > 0 ? why.join("; ") : HBA_NOT_RELOADED };
}
