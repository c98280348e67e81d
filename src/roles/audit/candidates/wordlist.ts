const BYTE_ORDER_MARK = "\ufeff";

/**
 * The passwords of a wordlist file: one per line, UTF-8, line ends `\n` or `\r\n`. Lines
 * are not trimmed (a password may begin or end with a blank) and nothing is a comment;
 * empty lines and a leading byte order mark are skipped.
 */
export function parseWordlist(text: string): string[] {
  const body = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  return body
    .split("\n")
    .map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
    .filter((line) => line.length > 0);
}
