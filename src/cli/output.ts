import type { Problem } from "../core/errors.js";
import { escapeJson, escapeText } from "../core/escape-text.js";

/**
 * Where a command's words go: data to stdout, messages and progress to stderr. Whatever they
 * echo (a CN, a path, a certificate's subject) is shown with control characters and
 * bidirectional overrides escaped (escape-text.ts); data and messages keep their line breaks
 * and tabs, a warning is one line.
 *
 * The JSON contract (README "JSON output", one schema per command in schemas/): exactly one
 * document on stdout, always an object; every warning goes to stderr and, with --format json,
 * also into the document's top-level `warnings`; a key named `mode` is a file mode written as
 * an octal string ("0600"); an error is one JSON object on stderr ({@link jsonErrorLine}).
 */
export interface Output {
  readonly format: "text" | "json";
  readonly quiet: boolean;
  /** Data (the command's answer) on stdout. */
  data(text: string): void;
  /** Exactly one JSON document on stdout: `value` (an object) with the warnings given so far as `warnings`. */
  json(value: object): void;
  /** A piece of one JSON document written in pieces (JSON.stringify's text), kept valid JSON. */
  jsonPiece(text: string): void;
  /** A message for the person on stderr; suppressed by --quiet. */
  info(text: string): void;
  /** A warning on stderr; shown even with --quiet; kept for the JSON document's `warnings`. */
  warn(text: string): void;
  /** Every warning given so far, for a document written in pieces (hba lint). */
  readonly warnings: readonly string[];
  /** True when stderr is a terminal (progress bars redraw in place). */
  readonly interactive: boolean;
  /** Raw write to stderr (progress). */
  progress(text: string): void;
}

/** Characters that data and messages keep as they are: their own line breaks and tabs. */
const KEPT_IN_TEXT = "\n\t";

/** A file mode as people and `chmod` write it: 0o600 -> "0600". */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/**
 * JSON.stringify's replacer for every document: a number under a key named `mode` is a file
 * mode, written in octal (420 means nothing to a person; "0644" does), whichever command or
 * library type it comes from.
 */
export function jsonReplacer(key: string, value: unknown): unknown {
  return key === "mode" && typeof value === "number" ? octalMode(value) : value;
}

/** A document's text as written to stdout: indented, modes in octal, unsafe characters escaped. */
export function jsonText(value: unknown): string {
  return escapeJson(JSON.stringify(value, jsonReplacer, 2));
}

/** The error, with --format json: one line on stderr, the same code and exit code the process exits with. */
export function jsonErrorLine(code: string, message: string, exitCode: number, problems?: readonly Problem[]): string {
  return `${escapeJson(JSON.stringify({ error: { code, message, exitCode, ...(problems === undefined ? {} : { problems }) } }))}\n`;
}

export function createOutput(format: "text" | "json", quiet: boolean): Output {
  const warnings: string[] = [];
  return {
    format,
    quiet,
    data: (text) => process.stdout.write(escapeText(text.endsWith("\n") ? text : `${text}\n`, KEPT_IN_TEXT)),
    json: (value) => process.stdout.write(`${jsonText({ ...value, warnings })}\n`),
    jsonPiece: (text) => process.stdout.write(escapeJson(text)),
    info: (text) => {
      if (!quiet) process.stderr.write(`${escapeText(text, KEPT_IN_TEXT)}\n`);
    },
    warn: (text) => {
      warnings.push(text);
      process.stderr.write(`pgwarden: warning: ${escapeText(text)}\n`);
    },
    warnings,
    interactive: Boolean(process.stderr.isTTY),
    progress: (text) => {
      if (!quiet) process.stderr.write(text);
    },
  };
}
