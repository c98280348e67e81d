import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { writesLogFiles } from "../logging/log-destinations.js";
import { shellQuote } from "./file-mode.js";
import { insideDataDirectory } from "./path-inside.js";

/** Where the fix puts the logs: the directory Debian's and Red Hat's packages log to, outside any PGDATA they make. */
export const PROPOSED_LOG_DIRECTORY = "/var/log/postgresql";

/**
 * Creates the proposed directory, when it is not there, for the OS user and group that own PGDATA (the
 * server's), then points log_directory at it: a directory the audit has not looked at is made, not assumed.
 */
function logDirectoryFix(dataDirectory: string): string {
  const owner = (format: string) => `"$(stat -c ${format} ${shellQuote(dataDirectory)})"`;
  return (
    `[ -d ${PROPOSED_LOG_DIRECTORY} ] || install -d -m 0750 -o ${owner("%U")} -g ${owner("%G")} ${PROPOSED_LOG_DIRECTORY}` +
    ` (as root, on the server's host; or choose another directory outside PGDATA the server's OS user can write), then: ` +
    `ALTER SYSTEM SET log_directory = '${PROPOSED_LOG_DIRECTORY}'; SELECT pg_reload_conf();`
  );
}

/** log_directory relative (so inside PGDATA, as by default) or an absolute path inside it. */
export const logDirectoryInPgdata: AuditCheck = {
  id: "host/log-directory-in-pgdata",
  title: "The log directory is inside the data directory",
  layer: "data",
  severity: "low",
  soc2: ["CC7.2"],
  cis: "3.1.27",
  scope: "server",
  why: "Logs inside PGDATA share its filesystem (a log flood fills the disk the database needs and stops it), are copied into base backups and replicas, and are read by anyone given group access to the data; they belong on their own filesystem, where they can also be shipped and kept.",
  fix:
    "install -d -m 0750 -o <server OS user> -g <its group> /var/log/postgresql (or choose another directory outside " +
    "PGDATA), then: ALTER SYSTEM SET log_directory = '/var/log/postgresql'; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const directory = settingValue(settings, "log_directory");
    const dataDirectory = settingValue(settings, "data_directory");
    if (directory === undefined || !dataDirectory || !writesLogFiles(settings)) return [];
    if (!insideDataDirectory(directory, dataDirectory)) return [];
    // PGDATA at or above /var/log/postgresql (/var, say): the usual directory is inside it, the DBA chooses one.
    const fix = insideDataDirectory(PROPOSED_LOG_DIRECTORY, dataDirectory)
      ? "choose a directory outside the data directory, on its own filesystem, that the server's OS user can write, then: " +
        "ALTER SYSTEM SET log_directory = '<that directory>'; SELECT pg_reload_conf();"
      : logDirectoryFix(dataDirectory);
    return [
      {
        subject: "log_directory",
        message: `log_directory '${directory}' is inside the data directory ${dataDirectory}`,
        evidence: [settingEvidence(settings, "log_directory"), settingEvidence(settings, "data_directory")],
        fix,
      },
    ];
  },
};
