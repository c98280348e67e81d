import { type AuditCheck } from "../../audit-check.js";
import { databaseCatalogFact } from "../../facts/database-catalog.js";
import { inDatabaseFix, qualifiedName } from "./sql-names.js";

/** Row-level security policies written on a table whose row-level security is off, so none applies. */
export const rlsPoliciesUnenforced: AuditCheck = {
  id: "roles/rls-policies-unenforced",
  title: "Row-level security policies not enforced",
  layer: "access-control",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "4.7",
  scope: "server",
  why:
    "Policies only apply once row-level security is enabled on the table: until then every role with " +
    "SELECT sees, and every role with UPDATE or DELETE changes, all the rows the policies were written to " +
    "keep from it.",
  fix: "ALTER TABLE <table> ENABLE ROW LEVEL SECURITY;",
  facts: [databaseCatalogFact],
  run(context) {
    return context.fact(databaseCatalogFact).seen.flatMap(({ database, value }) =>
      value.unenforcedPolicies.map((table) => {
        const name = qualifiedName(table.schema, table.table);
        const policies = `${table.policies.length} polic${table.policies.length === 1 ? "y" : "ies"}`;
        return {
          subject: `${database}: ${name}`,
          message: `table ${name} in database ${database} has ${policies} but row-level security is off`,
          evidence: [
            {
              label: `table ${name} in database ${database}`,
              value: `relrowsecurity false; policies ${table.policies.join(", ")}`,
            },
          ],
          fix: inDatabaseFix(database, [`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY;`]),
        };
      }),
    );
  },
};
