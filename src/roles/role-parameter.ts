import { quoteIdentifier, quoteLiteral } from "../core/identifier.js";
import type { DesiredParameter } from "./desired-role.js";

/**
 * Parameters whose value is a list of names (GUC_LIST_QUOTE in PostgreSQL's guc tables): the
 * server quotes each element as an identifier when it stores the setting, so `monitor,public`
 * must go as two elements, as Pigsty's `SET search_path = monitor,public` sends it.
 */
const NAME_LIST_PARAMETERS = new Set([
  "search_path",
  "temp_tablespaces",
  "local_preload_libraries",
  "session_preload_libraries",
]);

/** The inventory's value (`parameters: {name: value}`) in the form the planner compares and renders. */
export function desiredParameter(
  name: string,
  value: string | number | boolean | null | readonly (string | number)[],
): DesiredParameter {
  const lower = name.toLowerCase();
  if (value === null) return { name: lower, value: null };
  if (Array.isArray(value)) return { name: lower, value: value.map(String) };
  const text = String(value);
  // Written as SQL writes it (`"$user", public`): elements split outside quotes and unquoted, so "$user" stays the keyword.
  if (NAME_LIST_PARAMETERS.has(lower)) return { name: lower, value: storedList(text) };
  return { name: lower, value: text };
}

/** `search_path` or `"pg_stat_statements"."track"`: each dotted part quoted as an identifier. */
export function parameterNameSql(name: string): string {
  return name.split(".").map(quoteIdentifier).join(".");
}

/** The value side of `ALTER ROLE ... SET name = <value>`: string literals only, so nothing is SQL but quoting. */
export function parameterValueSql(value: string | readonly string[]): string {
  return typeof value === "string" ? quoteLiteral(value) : value.map(quoteLiteral).join(", ");
}

/** Splits a list (`monitor, "My Schema"`, as stored or as written in SQL) at commas outside double quotes, unquoting each element. */
function storedList(stored: string): string[] {
  const elements: string[] = [];
  let current = "";
  let quoted = false;
  for (let index = 0; index < stored.length; index++) {
    const char = stored[index] as string;
    if (char === '"') {
      if (quoted && stored[index + 1] === '"') {
        current += '"';
        index++;
      } else quoted = !quoted;
    } else if (char === "," && !quoted) {
      elements.push(current.trim());
      current = "";
    } else current += char;
  }
  elements.push(current.trim());
  return elements;
}

/** Does the value pg_db_role_setting holds (`name=value`'s value) say what the inventory says? */
export function parameterMatches(stored: string | undefined, desired: DesiredParameter): boolean {
  if (desired.value === null) return stored === undefined;
  if (stored === undefined) return false;
  if (typeof desired.value === "string") return stored === desired.value;
  const elements = storedList(stored);
  return (
    elements.length === desired.value.length && elements.every((element, index) => element === desired.value?.[index])
  );
}
