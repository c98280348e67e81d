import { basename } from "node:path";

import { type AuditCheck } from "../../audit-check.js";
import { pgdataFilesFact } from "../../facts/pgdata-files.js";
import { pathEvidence } from "./file-mode.js";

/** The entries of PGDATA that may be symlinks by design (initdb --waldir makes pg_wal one). */
const EXPECTED_LINKS: readonly string[] = ["pg_wal"];

/** A symlink at the top of PGDATA other than pg_wal: a file the server reads lives somewhere else. */
export const pgdataSymlinks: AuditCheck = {
  id: "host/pgdata-symlinks",
  title: "The data directory holds unexpected symlinks",
  layer: "data",
  severity: "low",
  soc2: ["CC6.1"],
  cis: "2.8",
  scope: "server",
  why: "A symlink in PGDATA makes the server read or write a file outside it (a configuration, a key, a directory) whose owner and mode the data directory's no longer protect, and which backups may skip; pg_wal (initdb --waldir) and tablespaces under pg_tblspc are the only links PostgreSQL makes.",
  fix: "replace the link by the file it points to (cp --remove-destination <target> <link>, then chmod 0600 and chown to the server's OS user), or point the setting that uses it at the target directly",
  facts: [pgdataFilesFact],
  run(context) {
    const files = context.fact(pgdataFilesFact);
    return files.entries
      .filter((entry) => entry.kind === "symlink" && !EXPECTED_LINKS.includes(basename(entry.path)))
      .map((entry) => ({
        subject: entry.path,
        message: `${basename(entry.path)} in PGDATA is a symlink to ${entry.linkTarget ?? "?"}`,
        evidence: [pathEvidence(entry), ...(entry.resolved ? [pathEvidence(entry.resolved)] : [])],
      }));
  },
};
