import { type AuditCheck } from "../../audit-check.js";
import { databaseCatalogFact } from "../../facts/database-catalog.js";
import { inDatabaseFix, qualifiedName } from "./sql-names.js";

/** Privileges that change data (or, for TRIGGER, run code when others change it). */
const WRITE_PRIVILEGES = new Set(["INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER"]);
const KINDS: Readonly<Record<string, string>> = {
  r: "table",
  p: "partitioned table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
};

/** Tables and views (outside system schemas and extensions) on which PUBLIC holds privileges, in every database. */
export const publicTablePrivileges: AuditCheck = {
  id: "roles/public-table-privileges",
  title: "Table privileges granted to PUBLIC",
  layer: "access-control",
  severity: "medium",
  soc2: ["CC6.1"],
  cis: "4.6",
  scope: "server",
  why:
    "A privilege granted to PUBLIC is held by every role that exists or will exist, the monitoring and " +
    "replication users included: data meant for one application is readable (or, for INSERT, UPDATE, " +
    "DELETE, TRUNCATE, changeable) by all.",
  fix: "REVOKE <privileges> ON TABLE <table> FROM PUBLIC; then GRANT them to the roles that need them",
  facts: [databaseCatalogFact],
  run(context) {
    return context.fact(databaseCatalogFact).seen.flatMap(({ database, value }) =>
      value.relationsOpenToPublic.map((relation) => {
        const name = qualifiedName(relation.schema, relation.name);
        const kind = KINDS[relation.kind] ?? "relation";
        const writes = relation.privileges.some((privilege) => WRITE_PRIVILEGES.has(privilege));
        return {
          subject: `${database}: ${name}`,
          message: `PUBLIC holds ${relation.privileges.join(", ")} on ${kind} ${name} in database ${database}`,
          severity: writes ? ("high" as const) : ("medium" as const),
          evidence: [
            { label: `${kind} ${name} in database ${database}`, value: `PUBLIC: ${relation.privileges.join(", ")}` },
          ],
          fix: inDatabaseFix(database, [`REVOKE ${relation.privileges.join(", ")} ON TABLE ${name} FROM PUBLIC;`]),
        };
      }),
    );
  },
};
