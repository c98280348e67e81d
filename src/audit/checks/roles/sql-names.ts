import { quoteIdentifier } from "../../../core/identifier.js";
import { type RoutineSeen } from "../../facts/database-catalog.js";

/**
 * A fix that must run in one database: psql's `\connect` first, so the whole text can be pasted
 * into psql (or piped to it) as it is printed.
 */
export function inDatabaseFix(database: string, statements: readonly string[]): string {
  return [`\\connect ${quoteIdentifier(database)}`, ...statements].join("\n");
}

/** `"schema"."name"`, as SQL names a schema's object. */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

/** `"schema"."name"(argument types)`, as ALTER ROUTINE and REVOKE ... ON ROUTINE name one. */
export function routineName(routine: RoutineSeen): string {
  return `${qualifiedName(routine.schema, routine.name)}(${routine.arguments})`;
}

/** `database: "schema"."name"(...)`: a routine's subject, unique on the server. */
export function routineSubject(database: string, routine: RoutineSeen): string {
  return `${database}: ${routineName(routine)}`;
}
