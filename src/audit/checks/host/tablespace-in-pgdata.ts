import { type AuditCheck } from "../../audit-check.js";
import { tablespacesFact } from "../../facts/pgdata-tablespaces.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { insideDataDirectory } from "./path-inside.js";

/** A tablespace whose directory lies inside PGDATA. */
export const tablespaceInPgdata: AuditCheck = {
  id: "host/tablespace-in-pgdata",
  title: "A tablespace is inside the data directory",
  layer: "data",
  severity: "low",
  soc2: ["CC9.1"],
  cis: "1.9",
  scope: "server",
  why: "A tablespace inside PGDATA is copied twice by file-level backups (once through pg_tblspc's link, once as a directory), confuses pg_upgrade and pg_basebackup, and gains nothing a tablespace is for: PostgreSQL itself warns when one is created there.",
  fix: "CREATE TABLESPACE elsewhere, move the objects (ALTER TABLE ... SET TABLESPACE, ALTER DATABASE ... SET TABLESPACE), then DROP TABLESPACE the old one",
  facts: [tablespacesFact, settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const dataDirectory = settingValue(settings, "data_directory");
    if (!dataDirectory) return [];
    return context
      .fact(tablespacesFact)
      .filter((tablespace) => insideDataDirectory(tablespace.location, dataDirectory))
      .map((tablespace) => ({
        subject: tablespace.name,
        message: `tablespace ${tablespace.name} is at ${tablespace.location}, inside the data directory`,
        evidence: [
          { label: `tablespace ${tablespace.name}`, value: `location ${tablespace.location}` },
          settingEvidence(settings, "data_directory"),
        ],
      }));
  },
};
