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

/** A database or user field split into its comma-separated tokens; double quotes are taken off and remembered. */
export function tokenizeField(field: string): HbaToken[] {
  const tokens: HbaToken[] = [];
  let value = "";
  let quoted = false;
  let inQuotes = false;
  for (const char of field) {
    if (char === '"') {
      inQuotes = !inQuotes;
      quoted = true;
    } else if (char === "," && !inQuotes) {
      tokens.push({ value, quoted });
      value = "";
      quoted = false;
    } else {
      value += char;
    }
  }
  tokens.push({ value, quoted });
  return tokens;
}
