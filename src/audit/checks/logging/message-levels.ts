/**
 * The message levels of log_min_messages and log_min_error_statement, least severe first (in
 * the server log, LOG ranks between ERROR and FATAL).
 */
export const SERVER_LOG_LEVELS: readonly string[] = [
  "debug5",
  "debug4",
  "debug3",
  "debug2",
  "debug1",
  "info",
  "notice",
  "warning",
  "error",
  "log",
  "fatal",
  "panic",
];

/** The rank of a level in {@link SERVER_LOG_LEVELS}, -1 when unknown. */
export function levelRank(level: string | undefined): number {
  return level === undefined ? -1 : SERVER_LOG_LEVELS.indexOf(level.toLowerCase());
}
