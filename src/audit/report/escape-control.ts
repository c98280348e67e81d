/*
 * A report shows text the server chose (a role's name, a setting's value, a rule, a file name).
 * Such text may carry characters that move a terminal's cursor, clear its screen or reorder what
 * it shows (a right-to-left override): the report shows them as escapes, the way the CLI does
 * (src/cli/escape-text.ts, which library code may not import), so a person sees what is there.
 */

/** C0 controls, DEL, C1 controls and the bidirectional marks, embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `text` with each unsafe character written as an escape (`\n`, `\x1b`, `\u{202E}`); é and 日本 stay as they are. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.codePointAt(0) as number;
    return (
      NAMED[char] ??
      (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16).toUpperCase()}}`)
    );
  });
}
