import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

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
  fix: "ALTER SYSTEM SET archive_mode = on; ALTER SYSTEM SET archive_command = 'pgbackrest --stanza=main archive-push %p'; -- then restart the server (archive_mode needs one)",
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
        fix: "ALTER SYSTEM SET archive_command = 'pgbackrest --stanza=main archive-push %p'; SELECT pg_reload_conf();",
        severity: "high",
      },
    ];
  },
};
