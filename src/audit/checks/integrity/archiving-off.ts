import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, type Settings, settingsFact, settingValue } from "../../facts/settings.js";
import { shellQuote } from "../host/file-mode.js";

/** The placeholder the DBA replaces with the archive directory they chose: a path, so left as is cp fails and is counted. */
export const ARCHIVE_PLACEHOLDER = "/path/to/archive";

/**
 * An archive_command every PostgreSQL host can run (PostgreSQL's own example: test and cp), into a
 * directory the DBA chooses; a backup tool the audit cannot see installed is named, not assumed (a
 * missing one exits 127, which the archiver does not count as a failure, and WAL piles up unseen).
 */
const ARCHIVE_COMMAND = `test ! -f ${ARCHIVE_PLACEHOLDER}/%f && cp %p ${ARCHIVE_PLACEHOLDER}/%f`;

/** How to see that archiving works once the fix is in: a WAL switch, then pg_stat_archiver. */
const VERIFY =
  "check it works: SELECT pg_switch_wal(); then SELECT archived_count, failed_count, last_failed_wal FROM pg_stat_archiver;";

/** The fix: the directory made for PGDATA's owner, then the settings (and the restart archive_mode needs). */
function archivingFix(settings: Settings, withMode: boolean): string {
  const dataDirectory = settingValue(settings, "data_directory");
  const owner = dataDirectory ? `"$(stat -c %U ${shellQuote(dataDirectory)})"` : "<server OS user>";
  return (
    `install -d -m 0700 -o ${owner} ${ARCHIVE_PLACEHOLDER} (as root; replace ${ARCHIVE_PLACEHOLDER} here and below with ` +
    "a directory you choose, on other storage than PGDATA, or use your backup tool's archive command instead), then: " +
    (withMode ? "ALTER SYSTEM SET archive_mode = on; " : "") +
    `ALTER SYSTEM SET archive_command = '${ARCHIVE_COMMAND}'; ` +
    (withMode
      ? `-- then restart the server (archive_mode needs one), and ${VERIFY}`
      : `SELECT pg_reload_conf(); -- then ${VERIFY}`)
  );
}

/** WAL archiving off, or on without an archive_command or archive_library. */
export const archivingOff: AuditCheck = {
  id: "integrity/archiving-off",
  title: "WAL archiving is off",
  layer: "data",
  severity: "medium",
  soc2: ["A1.2", "CC9.1"],
  cis: "7.4",
  scope: "server",
  why: "Without archived WAL the cluster can only be restored to the moment of its last base backup: everything committed since is lost, and there is no point-in-time recovery to the minute before a mistake or an attack. With archive_mode on but nothing to archive with, WAL piles up in pg_wal until the disk is full (high). No archive is a recovery gap, not a breach path: medium (pgdsat says critical).",
  fix:
    `install -d -m 0700 -o <server OS user> ${ARCHIVE_PLACEHOLDER} (a directory you choose), then: ` +
    `ALTER SYSTEM SET archive_mode = on; ALTER SYSTEM SET archive_command = '${ARCHIVE_COMMAND}'; ` +
    `-- then restart the server, and ${VERIFY}`,
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const mode = settingValue(settings, "archive_mode");
    if (mode === undefined) return [];
    if (mode === "off")
      return [
        {
          subject: "archive_mode",
          message: "archive_mode is off: WAL is not archived",
          evidence: [settingEvidence(settings, "archive_mode")],
          fix: archivingFix(settings, true),
        },
      ];
    const command = settingValue(settings, "archive_command") ?? "";
    const library = settingValue(settings, "archive_library") ?? "";
    if (command !== "" || library !== "") return [];
    return [
      {
        subject: "archive_command",
        message: `archive_mode is ${mode} but neither archive_command nor archive_library is set: WAL accumulates, nothing is archived`,
        evidence: [
          settingEvidence(settings, "archive_mode"),
          settingEvidence(settings, "archive_command"),
          ...(settings.has("archive_library") ? [settingEvidence(settings, "archive_library")] : []),
        ],
        fix: archivingFix(settings, false),
        severity: "high",
      },
    ];
  },
};
