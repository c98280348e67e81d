import type { Finding } from "../../core/finding.js";
import { type SourceLocation } from "../../core/source-location.js";
import { findingFingerprint } from "./fingerprint.js";
import { type IgnoreDirective, ignoreDirectiveFor } from "./inline-ignore.js";

/** How a finding was accepted: `--ignore ID`, a `# pgwarden:ignore` comment, or a `--baseline` entry. */
export type SuppressedBy = "ignore" | "inline" | "baseline";

export interface SuppressedFinding extends Finding {
  readonly suppressedBy: SuppressedBy;
  /** The comment's reason, for an inline directive that gives one. */
  readonly reason?: string;
}

/** One accepted finding in a baseline: known by check and fingerprint; where and what, for people. */
export interface BaselineEntry {
  readonly id: string;
  readonly fingerprint: string;
  readonly source?: SourceLocation;
  readonly message?: string;
}

export interface Suppressions {
  /** Check ids given with --ignore. */
  readonly ignore?: ReadonlySet<string>;
  /** A file's lines, when its inline comments can be read (a file on disk; undefined otherwise). */
  readonly linesOf?: (file: string) => readonly string[] | undefined;
  readonly baseline?: readonly BaselineEntry[];
}

export interface SuppressionResult {
  /** What counts for --fail-on. */
  readonly findings: Finding[];
  readonly suppressed: SuppressedFinding[];
  /** Baseline entries that matched no finding: fixed, or the rule's text changed. */
  readonly staleBaseline: BaselineEntry[];
  /** Inline directives naming a check that does not exist, with where they are. */
  readonly unknownInline: { readonly source: SourceLocation; readonly id: string }[];
}

/**
 * Splits findings into those that count and those accepted, in this order: --ignore, an inline
 * comment (on the finding's line, or the line above), then the baseline, each entry of which
 * accepts one finding with its check and fingerprint (two identical rules need two entries).
 */
export function applySuppressions(
  findings: readonly Finding[],
  suppressions: Suppressions,
  knownIds: ReadonlySet<string>,
): SuppressionResult {
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const unknownInline: { source: SourceLocation; id: string }[] = [];
  const reportedUnknown = new Set<string>();
  const pending = new Map<string, BaselineEntry[]>();
  for (const entry of suppressions.baseline ?? []) {
    const key = `${entry.id}\n${entry.fingerprint}`;
    pending.set(key, [...(pending.get(key) ?? []), entry]);
  }
  const directiveAt = (source: SourceLocation): IgnoreDirective | undefined => {
    const lines = suppressions.linesOf?.(source.file);
    const directive = lines && source.line > 0 ? ignoreDirectiveFor(lines, source.line) : undefined;
    // A bare marker names no check: reported as an unknown id "" so the person learns it suppressed nothing.
    for (const id of directive && directive.ids.length === 0 ? [""] : (directive?.ids ?? [])) {
      const where = `${source.file}:${source.line}:${id}`;
      if (!knownIds.has(id) && !reportedUnknown.has(where)) {
        reportedUnknown.add(where);
        unknownInline.push({ source, id });
      }
    }
    return directive;
  };
  for (const finding of findings) {
    if (suppressions.ignore?.has(finding.id)) {
      suppressed.push({ ...finding, suppressedBy: "ignore" });
      continue;
    }
    const directive = directiveAt(finding.source);
    if (directive?.ids.includes(finding.id)) {
      suppressed.push({
        ...finding,
        suppressedBy: "inline",
        ...(directive.reason === undefined ? {} : { reason: directive.reason }),
      });
      continue;
    }
    if (pending.size > 0) {
      const key = `${finding.id}\n${findingFingerprint(finding)}`;
      const entries = pending.get(key);
      if (entries && entries.length > 0) {
        entries.shift();
        if (entries.length === 0) pending.delete(key);
        suppressed.push({ ...finding, suppressedBy: "baseline" });
        continue;
      }
    }
    kept.push(finding);
  }
  return { findings: kept, suppressed, staleBaseline: [...pending.values()].flat(), unknownInline };
}
