import { type AuditCheck } from "../../audit-check.js";
import { pgdataFilesFact } from "../../facts/pgdata-files.js";
import { octalMode, pathEvidence, shellQuote } from "./file-mode.js";

/** The data directory grants other users access (beyond 0700; 0750 is PostgreSQL's group-access mode). */
export const pgdataMode: AuditCheck = {
  id: "host/pgdata-mode",
  title: "The data directory is open to other OS users",
  layer: "data",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "2.7",
  scope: "server",
  why: "Whoever can read PGDATA reads every table and the password verifiers in pg_authid, bypassing every privilege of the database; whoever can write it can change anything. 0700 is the safe mode; 0750 (initdb --allow-group-access) lets one group read everything, acceptable only for a dedicated backup group, and is reported as low.",
  fix: "chmod 0700 <PGDATA>",
  facts: [pgdataFilesFact],
  run(context) {
    const files = context.fact(pgdataFilesFact);
    const directory = files.pgdata.resolved ?? files.pgdata;
    const mode = directory.mode & 0o777;
    if ((mode & 0o077) === 0) return [];
    const open = (mode & 0o027) !== 0;
    return [
      {
        subject: files.dir,
        message: `PGDATA ${files.dir} is mode ${octalMode(mode)}: ${open ? whoGetsIn(mode) : `group gid ${directory.gid} can read every data file`}`,
        evidence: [pathEvidence(directory)],
        fix: `chmod 0700 ${shellQuote(directory.path)}`,
        ...(open ? {} : { severity: "low" as const }),
      },
    ];
  },
};

/** Who the mode lets in, the worst first. */
function whoGetsIn(mode: number): string {
  if ((mode & 0o002) !== 0) return "every OS user can alter the data files";
  if ((mode & 0o020) !== 0) return "its group can alter the data files";
  if ((mode & 0o004) !== 0) return "every OS user can list and read the data files";
  return "every OS user can reach the data files";
}
