import { usageError } from "../../core/errors.js";
import { KEYWORD_NAMES, type Keywords, keywordSpec } from "./keywords.js";
import { nearMiss } from "./near-miss.js";
import { parseKeywordValue } from "./parse-keyword-value.js";
import { parseUri, uriPrefixLength } from "./parse-uri.js";

/** How a connection string was written. */
export type ConninfoForm = "uri" | "keyword-value" | "socket-directory";

export interface ParsedConninfo {
  readonly form: ConninfoForm;
  /** The keywords the string sets (a keyword given twice keeps its last value, as in libpq). */
  readonly keywords: Keywords;
}

/** libpq's test for a connection string rather than a database name (fe-connect.c recognized_connection_string). */
export function isConnectionString(text: string): boolean {
  return uriPrefixLength(text) > 0 || text.includes("=");
}

/**
 * A keyword no libpq knows is refused naming it, with the one meant when it is a near miss
 * (`sslmod` -> `sslmode`): libpq refuses it too, where node-postgres silently ignored it.
 */
export function checkKeywordName(keyword: string, source: string): void {
  if (keywordSpec(keyword)) return;
  const meant = nearMiss(keyword, KEYWORD_NAMES);
  const hint =
    meant === undefined
      ? "see https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-PARAMKEYWORDS"
      : `did you mean ${meant}?`;
  throw usageError("bad-conn-keyword", `${source}: invalid connection option "${keyword}": ${hint}`);
}

/**
 * Reads a connection string as libpq does: a `postgresql://` or `postgres://` URI, or
 * keyword=value pairs. A bare absolute path is read as a socket directory (`host=PATH`), as
 * pgwarden's --conn always did. Unknown keywords are refused; values are checked later, once
 * the service file and environment have filled the rest ({@link resolveConnection}).
 */
export function parseConninfo(text: string, source: string): ParsedConninfo {
  if (text.includes("\0")) throw usageError("bad-conn", `${source} holds a NUL byte: give a connection string`);
  let form: ConninfoForm;
  let pairs: Array<[string, string]>;
  if (uriPrefixLength(text) > 0) {
    form = "uri";
    pairs = parseUri(text, source);
  } else if (text.includes("=")) {
    form = "keyword-value";
    pairs = parseKeywordValue(text, source);
  } else if (text.startsWith("/")) {
    form = "socket-directory";
    pairs = [["host", text]];
  } else {
    throw usageError(
      "bad-conn",
      `${source} ${JSON.stringify(text)} is not a connection string: give a URL (postgresql://USER@HOST:PORT/DB) or keyword=value pairs (host=HOST port=PORT user=USER dbname=DB)`,
    );
  }
  const keywords = new Map<string, string>();
  for (const [keyword, value] of pairs) {
    checkKeywordName(keyword, source);
    if (keyword === "requiressl") {
      // libpq's deprecated spelling: 1 is sslmode=require, 0 is the default (prefer).
      keywords.set("sslmode", value.startsWith("1") ? "require" : "prefer");
      continue;
    }
    keywords.set(keyword, value);
  }
  return { form, keywords };
}
