/*
 * Text pgwarden echoes (a CN, a file name, a certificate's subject, a flag's value) may carry
 * characters that move the cursor, clear the screen, or reorder what a terminal shows (a
 * right-to-left override makes `gpj.exe` read as `exe.jpg`). Those are shown as escapes so the
 * person sees what is really there; every other character, é and 日本 included, stays as it is.
 */

/**
 * C0 controls, DEL and C1 controls; the bidirectional marks, embeddings, overrides and isolates
 * (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(char: string): string {
  const code = char.codePointAt(0) as number;
  return (
    NAMED[char] ??
    (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16).toUpperCase()}}`)
  );
}

/**
 * `text` with every unsafe character escaped (`\n`, `\x1b`, `\u{202E}`), except those in `keep`
 * (data keeps its line breaks and tabs: `escapeText(text, "\n\t")`).
 */
export function escapeText(text: string, keep = ""): string {
  return text.replace(UNSAFE, (char) => (keep.includes(char) ? char : escapeOne(char)));
}

/** The unsafe characters JSON.stringify leaves raw in strings (it escapes C0; C0 elsewhere is its own layout). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A JSON document (from JSON.stringify) with the unsafe characters it leaves as they are (DEL,
 * C1, the bidirectional ones) written as `\uXXXX`: the same JSON value, shown safely.
 */
export function escapeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, "0")}`);
}
