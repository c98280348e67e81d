/*
 * The lexical layer of pg_hba.conf, as PostgreSQL's hba.c reads it: physical lines joined
 * at a trailing backslash, then fields (separated by blanks: space, tab, carriage return) of
 * tokens (separated by commas). No regular expressions: one pass over the characters, so no
 * input can make it slow. pg_ident.conf and the inventory's rule fields use the same tokens.
 */

/** One token of a field, as PostgreSQL's next_token reads it. */
export interface HbaToken {
  /** The token's text without quotes. */
  readonly value: string;
  /** Written in double quotes: never a keyword, a `+group` or a `/regex`. */
  readonly quoted: boolean;
  /**
   * Whether it was written in quotes is not known: the token comes from pg_hba_file_rules,
   * which shows `"all"` as all. Set only where it matters (a value that reads as a keyword or
   * a `+group` unquoted); `quoted` is then false, the wider reading.
   */
  readonly quoteUnknown?: boolean;
}

/** One record's text: backslash continuations joined, line number of its first physical line. */
export interface LogicalLine {
  readonly line: number;
  readonly text: string;
}

/** A field: the comma-separated tokens between two runs of blanks. */
export type Field = readonly HbaToken[];

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const HASH = 0x23;
const BACKSLASH = "\\";

/**
 * Splits a file into records. A backslash at the very end of a line continues the record on
 * the next line (the backslash and the line break are removed, nothing is inserted), also
 * inside quotes or a comment, exactly as PostgreSQL does before it looks for tokens.
 */
export function logicalLines(text: string): LogicalLine[] {
  const physical = text.split("\n");
  // A final line break does not start another line.
  if (physical.length > 1 && physical[physical.length - 1] === "") physical.pop();
  const lines: LogicalLine[] = [];
  for (let index = 0; index < physical.length;) {
    const first = index + 1;
    let joined = "";
    // A backslash counts only if it lies beyond the previous continuation's join point.
    let joinedBefore = 0;
    for (;;) {
      joined += stripLineEnd(physical[index] ?? "");
      index++;
      if (joined.length > joinedBefore && joined.endsWith(BACKSLASH) && index < physical.length) {
        joined = joined.slice(0, -1);
        joinedBefore = joined.length;
        continue;
      }
      if (joined.length > joinedBefore && joined.endsWith(BACKSLASH)) joined = joined.slice(0, -1);
      break;
    }
    lines.push({ line: first, text: joined });
  }
  return lines;
}

/** pg_strip_crlf: trailing CR and LF characters go. */
function stripLineEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === CR || line.charCodeAt(end - 1) === 0x0a)) end--;
  return end === line.length ? line : line.slice(0, end);
}

/**
 * The fields of one record, each a non-empty list of tokens; none for blank and comment lines.
 * hba.c's next_token and next_field_expand in one pass: blanks and commas separate tokens;
 * a token ended by a comma carries its field on to the next token (`a, b` is one field,
 * `a ,b` two). Double quotes are removed and `""` inside them is one literal quote; an unquoted
 * `#` ends the line. `quoted` is PostgreSQL's initial_quote: a quote came before any character,
 * so `@"my file"` is still a file list and `"all"` is not the keyword.
 */
export function tokenizeFields(text: string): Field[] {
  const fields: Field[] = [];
  // All of the line's tokens; each field is copied out at its exact size, because an array
  // grown by push keeps spare room, and rules keep their lists for as long as they live.
  const tokens: HbaToken[] = [];
  let fieldStart = 0;
  const end = text.length;
  let index = 0;
  while (index < end) {
    let code = text.charCodeAt(index);
    if (code === SPACE || code === TAB || code === CR || code === COMMA) {
      index++;
      continue;
    }
    if (code === HASH) break;

    let value = "";
    let quoted = false;
    let runStart = index;
    while (index < end) {
      code = text.charCodeAt(index);
      if (code === SPACE || code === TAB || code === CR || code === COMMA || code === HASH) break;
      if (code !== QUOTE) {
        index++;
        continue;
      }
      value += text.slice(runStart, index);
      if (value === "") quoted = true;
      // Up to the closing quote; an unterminated quote runs to the end of the line.
      let from = index + 1;
      for (;;) {
        const close = text.indexOf('"', from);
        if (close < 0) {
          value += text.slice(from);
          index = end;
          break;
        }
        value += text.slice(from, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          value += '"';
          from = close + 2;
          continue;
        }
        index = close + 1;
        break;
      }
      runStart = index;
    }
    value += text.slice(runStart, index);
    tokens.push({ value, quoted });
    if (index >= end || text.charCodeAt(index) !== COMMA) {
      fields.push(tokens.slice(fieldStart));
      fieldStart = tokens.length;
    }
  }
  if (fieldStart < tokens.length) fields.push(tokens.slice(fieldStart));
  return fields;
}

/** `@file` in a list: an unquoted token starting with `@` and naming something. */
export function listFileOf(token: HbaToken): string | undefined {
  return !token.quoted && token.value.length > 1 && token.value.startsWith("@") ? token.value.slice(1) : undefined;
}
