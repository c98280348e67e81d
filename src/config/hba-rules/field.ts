import { tokenizeFields } from "../../core/auth-file-tokens.js";
import { type HbaToken } from "../../core/auth-file-tokens.js";

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
