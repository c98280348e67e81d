import { quoteIdentifier } from "../../../core/identifier.js";
import { type AuditCheck } from "../../audit-check.js";
import { databaseCatalogFact } from "../../facts/database-catalog.js";
import { inDatabaseFix, routineName, routineSubject } from "./sql-names.js";

/**
 * The search_path PostgreSQL's "Writing SECURITY DEFINER Functions Safely" asks for: no schema an
 * untrusted role can create in, pg_temp last. The routine's own schema is kept only when PUBLIC may
 * not create there; otherwise the body must name its objects with their schema.
 */
function searchPathFix(routine: string, schema: string, schemaOpenToPublic: boolean): string {
  return schemaOpenToPublic
    ? `ALTER ROUTINE ${routine} SET search_path = pg_catalog, pg_temp; -- not ${quoteIdentifier(schema)}: ` +
        "PUBLIC may create in it; name its objects with their schema in the body"
    : `ALTER ROUTINE ${routine} SET search_path = pg_catalog, ${quoteIdentifier(schema)}, pg_temp;`;
}

/** A SECURITY DEFINER routine PUBLIC may execute that leaves search_path to its caller, in every database. */
export const securityDefinerPublic: AuditCheck = {
  id: "roles/security-definer-public",
  title: "SECURITY DEFINER function executable by PUBLIC without a fixed search_path",
  layer: "access-control",
  severity: "high",
  soc2: ["CC6.1"],
  cis: "4.5",
  scope: "server",
  why:
    "The function runs with its owner's privileges but looks names up through the caller's search_path: " +
    "any role may put a table, function or operator of its own first (in its temporary schema, or a " +
    "schema it can create in) and have it run as the owner, often a superuser.",
  fix: "ALTER ROUTINE <function>(<arguments>) SET search_path = pg_catalog, <its schema unless PUBLIC may create there>, pg_temp; (or REVOKE EXECUTE ... FROM PUBLIC)",
  facts: [databaseCatalogFact],
  run(context) {
    return context.fact(databaseCatalogFact).seen.flatMap(({ database, value }) => {
      const openToPublic = new Set(value.schemasOpenToPublic.map((open) => open.schema));
      return value.securityDefinersWithoutSearchPath.map((routine) => ({
        subject: routineSubject(database, routine),
        message:
          `${routineName(routine)} in database ${database} runs as ${routine.owner}` +
          `${routine.ownerSuperuser ? " (superuser)" : ""}, may be executed by PUBLIC and has no search_path of its own`,
        evidence: [
          {
            label: `function ${routineName(routine)} in database ${database}`,
            value:
              `SECURITY DEFINER, owner ${routine.owner}${routine.ownerSuperuser ? " (superuser)" : ""}, ` +
              `language ${routine.language}, EXECUTE granted to PUBLIC, no search_path in proconfig` +
              (routine.extension === null ? "" : `, part of extension ${routine.extension}`),
          },
        ],
        fix: inDatabaseFix(database, [
          searchPathFix(routineName(routine), routine.schema, openToPublic.has(routine.schema)),
        ]),
      }));
    });
  },
};
