import { usageError } from "./errors.js";
import { identifierProblem } from "./role-name.js";

/**
 * A role (or other) name quoted as a SQL identifier, for statements that cannot take a
 * bind parameter (`CREATE ROLE`, `GRANT`): always double-quoted, inner quotes doubled,
 * as `quote_ident` does. A name with NUL, an empty one or one the server would truncate
 * is refused, so the quoted text always names exactly the role that was meant.
 */
export function quoteIdentifier(name: string): string {
  // role-name.ts says which names the server holds exactly: longer ones it would silently truncate.
  const problem = identifierProblem(name);
  if (problem) throw usageError("bad-identifier", problem);
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A string literal, as `quote_literal` makes one: quotes doubled, and with any backslash
 * also doubled under an `E'...'` prefix, so the text means the same whatever
 * `standard_conforming_strings` is. Only for values that cannot be bound, such as the
 * SCRAM verifier in `CREATE ROLE ... PASSWORD '...'`: never for a plaintext password.
 */
export function quoteLiteral(text: string): string {
  if (text.includes("\0")) throw usageError("bad-literal", "a SQL string cannot contain a NUL character");
  const quoted = text.replace(/'/g, "''");
  return text.includes("\\") ? `E'${quoted.replace(/\\/g, "\\\\")}'` : `'${quoted}'`;
}
