/** Where something was written: file and 1-based line (for a rule, the first line of a continued rule). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** `file:line: ` to put before a message about what was written there; nothing when the place is not known. */
export function sourcePrefix(source: SourceLocation | undefined): string {
  return source ? `${source.file}:${source.line}: ` : "";
}
