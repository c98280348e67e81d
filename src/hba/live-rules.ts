import type pg from "pg";

import { maskToPrefix } from "../core/address.js";
import { type HbaToken } from "../core/auth-file-tokens.js";
import { ExitCode, PgwardenError } from "../core/errors.js";
import { isInsufficientPrivilege } from "../pg/sqlstate.js";
import { CONNECTION_TYPES, type ConnectionType, type HbaFile, type HbaParseError, type HbaRule } from "./model.js";

/** One row of pg_hba_file_rules (PostgreSQL 15 columns, plus file_name from 16 on). */
interface HbaFileRuleRow {
  readonly line_number: number;
  readonly type: string | null;
  readonly database: string[] | null;
  readonly user_name: string[] | null;
  readonly address: string | null;
  readonly netmask: string | null;
  readonly auth_method: string | null;
  readonly options: string[] | null;
  readonly error: string | null;
  readonly file_name: string;
}

const HAS_FILE_NAME_SQL = `SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute
  WHERE attrelid = 'pg_catalog.pg_hba_file_rules'::regclass AND attname = 'file_name' AND NOT attisdropped) AS has_file_name`;

/** Rows come in the order the server read them (includes in place); the view has no other total order. */
const rulesSql = (
  fileColumn: string,
) => `SELECT line_number, type, database, user_name, address, netmask, auth_method, options, error,
  ${fileColumn} AS file_name FROM pg_catalog.pg_hba_file_rules`;

const KNOWN_TYPES: ReadonlySet<string> = new Set(CONNECTION_TYPES);

/**
 * The rules in a running server's HBA file as the server itself reads them
 * (pg_hba_file_rules: the file on disk now, not necessarily the rules loaded), with the
 * server's file and line for each rule and each error. What the view does not keep:
 * - quotes: a name that can only be written quoted (blanks, commas, `#`, `"`, empty) is
 *   marked quoted; a quoted keyword ("all" as a role name) reads as the keyword;
 * - the text as written: `text` is rebuilt from the columns;
 * - options as written: the server lists what it derived, e.g. `clientcert=verify-full`
 *   for cert and `include_realm=true` for gss;
 * - addresses as written: the server prints them canonically (`::1/128`).
 * A row can be a rule and an error at once (`hostssl` while ssl is off): the server still
 * loads such a rule, so it is returned in both lists.
 */
export async function readLiveRules(client: pg.Client): Promise<HbaFile> {
  let rows: HbaFileRuleRow[];
  try {
    const columns = await client.query<{ has_file_name: boolean }>(HAS_FILE_NAME_SQL);
    const fileColumn = columns.rows[0]?.has_file_name
      ? "COALESCE(file_name, current_setting('hba_file'))"
      : "current_setting('hba_file')";
    rows = (await client.query<HbaFileRuleRow>(rulesSql(fileColumn))).rows;
  } catch (error) {
    if (isInsufficientPrivilege(error)) {
      throw new PgwardenError(
        "hba-rules-denied",
        "reading pg_hba_file_rules needs a superuser (or SELECT on the view and EXECUTE on the function pg_hba_file_rules())",
        ExitCode.privilege,
        { cause: error },
      );
    }
    throw error;
  }
  const rules: HbaRule[] = [];
  const errors: HbaParseError[] = [];
  for (const row of rows) {
    const source = { file: row.file_name, line: row.line_number };
    if (row.error !== null) errors.push({ source, message: row.error });
    if (row.type === null) continue;
    const rule = ruleOf(row, source);
    if ("message" in rule) errors.push(rule);
    else rules.push(rule);
  }
  return { rules, errors };
}

function ruleOf(row: HbaFileRuleRow, source: HbaRule["source"]): HbaRule | HbaParseError {
  if (!KNOWN_TYPES.has(row.type ?? ""))
    return { source, message: `connection type "${row.type}" is not known to pgwarden` };
  const type = row.type as ConnectionType;
  let address = row.address ?? undefined;
  if (address !== undefined && row.netmask !== null) {
    const prefix = maskToPrefix(row.netmask);
    // A mask that is not contiguous is matched bit by bit: it stays as address and mask (see HbaRule.address).
    address = prefix === undefined ? `${address} ${row.netmask}` : `${address}/${prefix}`;
  }
  const databases = (row.database ?? []).map((value) => tokenOf(value, "database"));
  const users = (row.user_name ?? []).map((value) => tokenOf(value, "user"));
  const method = row.auth_method ?? "";
  const optionList = row.options ?? [];
  const options: Record<string, string> = {};
  for (const option of optionList) {
    const equals = option.indexOf("=");
    options[equals < 0 ? option : option.slice(0, equals)] = equals < 0 ? "" : option.slice(equals + 1);
  }
  const text = [
    type,
    list(databases),
    list(users),
    ...(address === undefined ? [] : [address]),
    method,
    ...optionList.map(quoteIfNeeded),
  ].join(" ");
  const rule: HbaRule = { type, databases, users, method, options, source, text };
  return address === undefined ? rule : { ...rule, address };
}

/** Characters a name can only carry inside double quotes. */
const NEEDS_QUOTES = /[\s,#"]/;

const needsQuotes = (value: string) => value === "" || NEEDS_QUOTES.test(value);

/** Values that mean something else unquoted: the view cannot say which was written. */
const DATABASE_KEYWORDS: ReadonlySet<string> = new Set(["all", "sameuser", "samerole", "samegroup", "replication"]);
const readsAsKeyword = (value: string, field: "database" | "user") =>
  field === "database" ? DATABASE_KEYWORDS.has(value) : value === "all" || value.startsWith("+");

/**
 * A token from the view. A value that needs quotes was quoted; an `@name` was too (an unquoted
 * one would have been expanded); a value that reads as a keyword or `+group` may have been
 * either, so it is marked quoteUnknown and explain says it cannot tell.
 */
function tokenOf(value: string, field: "database" | "user"): HbaToken {
  if (needsQuotes(value) || value.startsWith("@")) return { value, quoted: true };
  return readsAsKeyword(value, field) ? { value, quoted: false, quoteUnknown: true } : { value, quoted: false };
}
const quoteIfNeeded = (value: string) => (needsQuotes(value) ? `"${value.replaceAll('"', '""')}"` : value);
const list = (tokens: readonly HbaToken[]) => tokens.map((token) => quoteIfNeeded(token.value)).join(",");
