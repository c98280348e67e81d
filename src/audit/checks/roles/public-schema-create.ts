import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck } from "../../audit-check.js";
import { databaseCatalogFact } from "../../facts/database-catalog.js";
import { inDatabaseFix } from "./sql-names.js";

/**
 * CREATE on a schema granted to PUBLIC (schema public above all: PostgreSQL before 15 granted
 * it by default, and upgrades keep it), in every database that accepts connections.
 */
export const publicSchemaCreate: AuditCheck = {
  id: "roles/public-schema-create",
  title: "Every role may create objects in a schema (CREATE granted to PUBLIC)",
  layer: "access-control",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "4.10",
  scope: "server",
  why:
    "Any role that can connect may create functions, operators and tables there that shadow the ones " +
    "other roles mean to call through their search_path (CVE-2018-1058), so code runs with the privileges " +
    "of whoever calls it next, a superuser included.",
  fix: "REVOKE CREATE ON SCHEMA public FROM PUBLIC; (in each database named)",
  facts: [databaseCatalogFact],
  run(context) {
    return context.fact(databaseCatalogFact).seen.flatMap(({ database, value }) =>
      value.schemasOpenToPublic.map((schema) => ({
        subject: `${database}: ${schema.schema}`,
        message: `PUBLIC may create objects in schema ${schema.schema} of database ${database}`,
        evidence: [
          {
            label: `schema ${schema.schema} in database ${database}`,
            value: `owner ${schema.owner}, privileges ${schema.acl ?? "(default)"}`,
          },
        ],
        fix: inDatabaseFix(database, [`REVOKE CREATE ON SCHEMA ${quoteIdentifier(schema.schema)} FROM PUBLIC;`]),
      })),
    );
  },
};
