import { type AuditCheck } from "../../audit-check.js";
import { databaseCatalogFact } from "../../facts/database-catalog.js";

/**
 * A database the auditor could not enter: the per-database checks judged the others only,
 * so their silence says nothing about this one. Said as a finding so it is not missed.
 */
export const databasesNotExamined: AuditCheck = {
  id: "roles/databases-not-examined",
  title: "Database not examined",
  layer: "access-control",
  severity: "info",
  soc2: ["CC6.1"],
  scope: "server",
  why:
    "Schemas open to PUBLIC, SECURITY DEFINER functions, untrusted languages, table grants and row-level " +
    "security live in each database's own catalog; a database the auditor cannot connect to was not " +
    "checked for any of them.",
  fix: "GRANT CONNECT ON DATABASE <database> TO <auditor>; and an HBA rule that lets the auditor in, then audit again",
  facts: [databaseCatalogFact],
  run(context) {
    return context.fact(databaseCatalogFact).notExamined.map((database) => ({
      subject: database.database,
      message: `database ${database.database} was not examined: ${database.reason}`,
      evidence: [{ label: `database ${database.database}`, value: database.reason }],
      ...(database.grant === undefined ? {} : { fix: `${database.grant};` }),
    }));
  },
};
