import type { ConnectionType, HbaToken } from "../model.js";

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
 * A database or user field split into its comma-separated tokens, as PostgreSQL's next_token
 * (hba.c) reads them: double quotes are taken off, `""` inside quotes is one literal `"`, and
 * `quoted` is PostgreSQL's initial quote (a quote before any character: `"all"` is no keyword,
 * `"+x"` no group). The field must hold no blank or `#` outside quotes (rule-spec refuses those).
 */
export function tokenizeField(field: string): HbaToken[] {
  const tokens: HbaToken[] = [];
  let value = "";
  let quoted = false;
  let sawQuote = false;
  let inQuotes = false;
  let wasQuote = false;
  const finish = () => {
    // PostgreSQL drops an empty token unless it was quoted (`""` is an empty name).
    if (value !== "" || sawQuote) tokens.push({ value, quoted });
    value = "";
    quoted = false;
    sawQuote = false;
    wasQuote = false;
  };
  for (const char of field) {
    if (char === "," && !inQuotes) {
      finish();
      continue;
    }
    if (char !== '"' || wasQuote) value += char;
    wasQuote = inQuotes && char === '"' ? !wasQuote : false;
    if (char === '"') {
      inQuotes = !inQuotes;
      sawQuote = true;
      if (value === "") quoted = true;
    }
  }
  finish();
  return tokens;
}

/** The number of double quotes in a field is odd: PostgreSQL would read the rest of the line into it. */
export function hasOpenQuote(field: string): boolean {
  let count = 0;
  for (const char of field) if (char === '"') count++;
  return count % 2 === 1;
}
