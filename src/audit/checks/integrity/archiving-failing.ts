import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { archiverStatsFact } from "../../facts/stat-archiver.js";

/**
 * How long a segment may wait for the archiver before archiving counts as stuck: a working
 * archive_command takes seconds per segment, so ten minutes is a backlog, not a busy moment.
 */
const STUCK_AFTER_MS = 10 * 60 * 1000;

/** The archiver's last attempt failed (pg_stat_archiver), or WAL has waited too long to be archived. */
export const archivingFailing: AuditCheck = {
  id: "integrity/archiving-failing",
  title: "WAL archiving is failing",
  layer: "data",
  severity: "high",
  soc2: ["A1.2", "CC9.1"],
  cis: "7.4",
  scope: "server",
  why: "Archiving that is configured but failing gives the comfort of backups without them: no WAL reaches the archive after the failure, point-in-time recovery stops there, and the WAL kept for the retries fills pg_wal until the server stops. A segment waiting more than ten minutes counts as stuck.",
  fix: "read the archive_command's error in the server log (an exit code above 125, such as 127 for a command not found, stops the archiver without counting a failure), fix the command or its destination and SELECT pg_reload_conf(); then check that SELECT * FROM pg_stat_archiver; shows last_archived_time after last_failed_time",
  facts: [archiverStatsFact, settingsFact],
  run(context) {
    const stats = context.fact(archiverStatsFact);
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "archive_mode") === "off") return [];
    const failedLast =
      stats.lastFailedTime !== undefined &&
      (stats.lastArchivedTime === undefined || stats.lastArchivedTime < stats.lastFailedTime);
    const oldest = stats.ready?.oldest;
    const stuck = oldest !== undefined && context.now.getTime() - oldest.getTime() > STUCK_AFTER_MS;
    if (!failedLast && !stuck) return [];
    const message = failedLast
      ? `the last WAL archiving attempt failed (${stats.lastFailedWal ?? "a segment"} at ${stats.lastFailedTime?.toISOString() ?? "?"}, ${stats.failedCount} failure(s))`
      : `${stats.ready?.count ?? 0} WAL segment(s) wait to be archived, the oldest since ${oldest?.toISOString() ?? "?"}`;
    return [
      {
        subject: "archiver",
        message,
        evidence: [
          {
            label: "pg_stat_archiver",
            value: `archived_count = ${stats.archivedCount}, last_archived_time = ${stats.lastArchivedTime?.toISOString() ?? "never"}, failed_count = ${stats.failedCount}, last_failed_wal = ${stats.lastFailedWal ?? "-"}, last_failed_time = ${stats.lastFailedTime?.toISOString() ?? "never"}`,
          },
          ...(stats.ready
            ? [
                {
                  label: "pg_wal/archive_status",
                  value: `${stats.ready.count} .ready, oldest ${stats.ready.oldest?.toISOString() ?? "-"}`,
                },
              ]
            : []),
          settingEvidence(settings, "archive_command"),
        ],
      },
    ];
  },
};
