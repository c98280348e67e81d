/** Where a command's words go: data to stdout, messages and progress to stderr. */
export interface Output {
  readonly format: "text" | "json";
  readonly quiet: boolean;
  /** Data (the command's answer) on stdout. */
  data(text: string): void;
  /** Exactly one JSON document on stdout. */
  json(value: unknown): void;
  /** A message for the person on stderr; suppressed by --quiet. */
  info(text: string): void;
  /** A warning on stderr; shown even with --quiet. */
  warn(text: string): void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  readonly interactive: boolean;
  /** Raw write to stderr (progress). */
  progress(text: string): void;
}

export function createOutput(format: "text" | "json", quiet: boolean): Output {
  return {
    format,
    quiet,
    data: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    info: (text) => {
      if (!quiet) process.stderr.write(`${text}\n`);
    },
    warn: (text) => process.stderr.write(`pgwarden: warning: ${text}\n`),
    interactive: Boolean(process.stderr.isTTY),
    progress: (text) => {
      if (!quiet) process.stderr.write(text);
    },
  };
}
