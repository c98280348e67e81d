import { escapeJson, escapeText } from "./escape-text.js";

/**
 * Where a command's words go: data to stdout, messages and progress to stderr. Whatever they
 * echo (a CN, a path, a certificate's subject) is shown with control characters and
 * bidirectional overrides escaped (escape-text.ts); data and messages keep their line breaks
 * and tabs, a warning is one line.
 */
export interface Output {
  readonly format: "text" | "json";
  readonly quiet: boolean;
  /** Data (the command's answer) on stdout. */
  data(text: string): void;
  /** Exactly one JSON document on stdout. */
  json(value: unknown): void;
  /** A piece of one JSON document written in pieces (JSON.stringify's text), kept valid JSON. */
  jsonPiece(text: string): void;
  /** A message for the person on stderr; suppressed by --quiet. */
  info(text: string): void;
  /** A warning on stderr; shown even with --quiet. */
  warn(text: string): void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  readonly interactive: boolean;
  /** Raw write to stderr (progress). */
  progress(text: string): void;
}

/** Characters that data and messages keep as they are: their own line breaks and tabs. */
const KEPT_IN_TEXT = "\n\t";

export function createOutput(format: "text" | "json", quiet: boolean): Output {
  return {
    format,
    quiet,
    data: (text) => process.stdout.write(escapeText(text.endsWith("\n") ? text : `${text}\n`, KEPT_IN_TEXT)),
    json: (value) => process.stdout.write(`${escapeJson(JSON.stringify(value, null, 2))}\n`),
    jsonPiece: (text) => process.stdout.write(escapeJson(text)),
    info: (text) => {
      if (!quiet) process.stderr.write(`${escapeText(text, KEPT_IN_TEXT)}\n`);
    },
    warn: (text) => process.stderr.write(`pgwarden: warning: ${escapeText(text)}\n`),
    interactive: Boolean(process.stderr.isTTY),
    progress: (text) => {
      if (!quiet) process.stderr.write(text);
    },
  };
}
