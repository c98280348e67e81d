import type { ConnectionType, HbaToken } from "../model.js";
import { tokenizeFields } from "../parse/tokenize.js";

/** Pigsty's column widths: type `%-8s`, database, user and address `%-18s`; wider values push the rest right. */
const TYPE_WIDTH = 8;
const FIELD_WIDTH = 18;

/** One pg_hba line laid out in Pigsty's columns (the address column left blank for `local`). */
export function formatHbaLine(
  type: ConnectionType,
  database: string,
  user: string,
  address: string | undefined,
  method: string,
  options: Readonly<Record<string, string>> = {},
): string {
  const optionText = Object.entries(options)
    .map(([name, value]) => ` ${name}=${value}`)
    .join("");
  return `${type.padEnd(TYPE_WIDTH)} ${database.padEnd(FIELD_WIDTH)} ${user.padEnd(FIELD_WIDTH)} ${(address ?? "").padEnd(FIELD_WIDTH)} ${method}${optionText}`;
}

/**
 * A database or user field split into its comma-separated tokens, read by the parser's own
 * tokenizer (PostgreSQL's next_token: quotes taken off, `""` inside quotes one literal `"`,
 * `quoted` its initial quote). The field holds no blank or `#` outside quotes (rule-spec
 * refuses those), so it is one field.
 */
export function tokenizeField(field: string): HbaToken[] {
  return [...(tokenizeFields(field)[0] ?? [])];
}

/** The number of double quotes in a field is odd: PostgreSQL would read the rest of the line into it. */
export function hasOpenQuote(field: string): boolean {
  let count = 0;
  for (const char of field) if (char === '"') count++;
  return count % 2 === 1;
}
