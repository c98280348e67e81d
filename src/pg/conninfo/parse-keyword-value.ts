import { usageError } from "../../core/errors.js";

/**
 * libpq's keyword=value form (fe-connect.c conninfo_parse), rule for rule: pairs separated by
 * whitespace, whitespace allowed around `=`, a value either single-quoted (may hold spaces) or
 * running to the next whitespace, and a backslash taking the next character literally in both.
 * Returns the pairs in order (a later one overrides an earlier one); `source` names the string
 * in messages, which never echo a value (one may be a password).
 */
export function parseKeywordValue(text: string, source: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
  let i = 0;
  while (i < text.length) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    let keyword = "";
    while (i < text.length && text[i] !== "=" && !isSpace(text[i])) keyword += text[i++];
    while (isSpace(text[i])) i++;
    if (text[i] !== "=")
      throw usageError(
        "bad-conn",
        `${source}: missing "=" after "${keyword}" in the keyword=value string (give keyword=value pairs, e.g. host=db1 user=postgres)`,
      );
    i++;
    while (isSpace(text[i])) i++;
    let value = "";
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= text.length)
          throw usageError(
            "bad-conn",
            `${source}: unterminated quoted string in the keyword=value string (close the value's single quote)`,
          );
        if (text[i] === "\\") {
          i++;
          if (i < text.length) value += text[i++];
        } else if (text[i] === "'") {
          i++;
          break;
        } else value += text[i++];
      }
    } else {
      while (i < text.length && !isSpace(text[i])) {
        if (text[i] === "\\") {
          i++;
          if (i < text.length) value += text[i++];
        } else value += text[i++];
      }
    }
    pairs.push([keyword, value]);
  }
  return pairs;
}
