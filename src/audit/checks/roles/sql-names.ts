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

/**
 * A name as it may stand in an SQL comment or a psql meta-command of a printed fix: as it is when
 * it is a plain lower-case identifier, else quoted, with control characters written as `\xNN`. A raw line break would end the comment and run what follows
 * it as SQL when the fix is pasted (a role named "x<newline>DROP ..."); such a name is shown, not reproduced.
 */
export function nameInComment(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name)) return name;
  return Array.from(quoteIdentifier(name), (char) => {
    const code = char.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : char;
  }).join("");
}
