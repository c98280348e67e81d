/**
 * `# pgwarden:ignore ID[,ID...] [reason]`: in a pg_hba.conf or an inventory, at the end of the
 * rule's own line, or alone on the line just above it (eslint's disable-line and
 * disable-next-line in one spelling). Each ID is a check id; the reason is kept for the report.
 */
export interface IgnoreDirective {
  readonly ids: readonly string[];
  readonly reason?: string;
}

export const IGNORE_MARKER = "pgwarden:ignore";

/** The marker, then the check ids (none in a bare marker, which suppresses nothing and is reported), then a reason. */
const DIRECTIVE = /#\s*pgwarden:ignore(?=\s|$)(?:\s+([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*))?(?:\s+(.*?))?\s*$/;
const COMMENT_ONLY = /^\s*#/;

function directiveIn(line: string | undefined): IgnoreDirective | undefined {
  const match = line === undefined ? null : DIRECTIVE.exec(line);
  if (!match) return undefined;
  const ids = match[1] === undefined ? [] : match[1].split(",").map((id) => id.trim());
  return match[2] ? { ids, reason: match[2] } : { ids };
}

/** The directive that covers 1-based `line` of `lines`: on the line itself, or a comment line just above. */
export function ignoreDirectiveFor(lines: readonly string[], line: number): IgnoreDirective | undefined {
  const own = directiveIn(lines[line - 1]);
  if (own) return own;
  const above = lines[line - 2];
  return above !== undefined && COMMENT_ONLY.test(above) ? directiveIn(above) : undefined;
}
