import type { ConnectionType } from "../model.js";

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
