import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { archiverStatsFact } from "../../facts/stat-archiver.js";

/** The archiver's last attempt failed (pg_stat_archiver): WAL is not reaching the archive. */
export const archivingFailing: AuditCheck = {
  id: "integrity/archiving-failing",
  title: "WAL archiving is failing",
  layer: "data",
  severity: "high",
  soc2: ["A1.2", "CC9.1"],
  cis: "7.4",
  scope: "server",
  why: "Archiving that is configured but failing gives the comfort of backups without them: no WAL reaches the archive after the failure, point-in-time recovery stops there, and the WAL kept for the retries fills pg_wal until the server stops.",
  fix: "read the archive_command's error in the server log, fix the command or its destination; check SELECT * FROM pg_stat_archiver; shows last_archived_time after last_failed_time",
  facts: [archiverStatsFact, settingsFact],
  run(context) {
    const stats = context.fact(archiverStatsFact);
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "archive_mode") === "off" || stats.lastFailedTime === undefined) return [];
    if (stats.lastArchivedTime !== undefined && stats.lastArchivedTime >= stats.lastFailedTime) return [];
    return [
      {
        subject: "archiver",
        message: `the last WAL archiving attempt failed (${stats.lastFailedWal ?? "a segment"} at ${stats.lastFailedTime.toISOString()}, ${stats.failedCount} failure(s))`,
        evidence: [
          {
            label: "pg_stat_archiver",
            value: `failed_count = ${stats.failedCount}, last_failed_wal = ${stats.lastFailedWal ?? "-"}, last_failed_time = ${stats.lastFailedTime.toISOString()}, last_archived_time = ${stats.lastArchivedTime?.toISOString() ?? "never"}`,
          },
          settingEvidence(settings, "archive_command"),
        ],
      },
    ];
  },
};
