import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import { pgdataFilesFact } from "../../facts/pgdata-files.js";
import { octalMode, pathEvidence, shellQuote } from "./file-mode.js";

/** The superuser's uid: a root-owned pg_hba.conf (as packages install it in /etc) is fine. */
const ROOT_UID = 0;

/** Write for the group, read or write for others: group read alone is PostgreSQL's group-access mode (0640). */
const TOO_OPEN_MODE_BITS = 0o026;

/** pg_hba.conf writable by others than its owner, readable by every user, or owned by someone else. */
export const hbaFileMode: AuditCheck = {
  id: "host/hba-file-mode",
  title: "pg_hba.conf is open to other OS users",
  layer: "authentication",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "2.5",
  scope: "server",
  why: "pg_hba.conf decides who may log in and how: whoever can write it can add a trust rule for themselves and wait for the next reload; whoever can read it learns the networks, users and methods to attack. It should be 0600 (0640 in group-access mode) and owned by the server's OS user or root.",
  fix: "chmod 0600 <hba_file>",
  facts: [pgdataFilesFact],
  run(context) {
    const files = context.fact(pgdataFilesFact);
    if (!files.hbaFile) return [];
    const file = files.hbaFile.resolved ?? files.hbaFile;
    const mode = file.mode & 0o777;
    const serverUid = (files.pgdata.resolved ?? files.pgdata).uid;
    const evidence = [pathEvidence(files.hbaFile), ...(files.hbaFile.resolved ? [pathEvidence(file)] : [])];
    const drafts: FindingDraft[] = [];
    if ((mode & TOO_OPEN_MODE_BITS) !== 0) {
      const writable = (mode & 0o022) !== 0;
      drafts.push({
        subject: `${file.path} mode`,
        message: `${file.path} is mode ${octalMode(mode)}: ${writable ? `${(mode & 0o002) !== 0 ? "every OS user" : "its group"} can rewrite who may log in` : "every OS user can read it"}`,
        evidence,
        fix: `chmod 0600 ${shellQuote(file.path)}`,
        severity: (mode & 0o002) !== 0 ? "critical" : writable ? "high" : "medium",
      });
    }
    if (file.uid !== serverUid && file.uid !== ROOT_UID)
      drafts.push({
        subject: `${file.path} owner`,
        message: `${file.path} is owned by uid ${file.uid}, neither the server's OS user (uid ${serverUid}) nor root: that user can rewrite it`,
        evidence,
        fix: `chown ${serverUid} ${shellQuote(file.path)}`,
      });
    return drafts;
  },
};
