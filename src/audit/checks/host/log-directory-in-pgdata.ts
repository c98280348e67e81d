import { posix } from "node:path";

import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { writesLogFiles } from "../logging/log-destinations.js";
import { insideDataDirectory } from "./path-inside.js";

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
  fix: "ALTER SYSTEM SET log_directory = '/var/log/postgresql'; SELECT pg_reload_conf();",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const directory = settingValue(settings, "log_directory");
    const dataDirectory = settingValue(settings, "data_directory");
    if (directory === undefined || !dataDirectory || !writesLogFiles(settings)) return [];
    if (!insideDataDirectory(directory, dataDirectory)) return [];
    // A sibling of PGDATA: outside it, and in a directory the server's OS user already owns.
    const outside = posix.join(posix.dirname(posix.normalize(dataDirectory)), "log");
    return [
      {
        subject: "log_directory",
        message: `log_directory '${directory}' is inside the data directory ${dataDirectory}`,
        evidence: [settingEvidence(settings, "log_directory"), settingEvidence(settings, "data_directory")],
        fix: `ALTER SYSTEM SET log_directory = '${outside.replace(/'/g, "''")}'; SELECT pg_reload_conf();`,
      },
    ];
  },
};
