import { failsAt, type Finding, type Severity } from "../../core/finding.js";
import type { HbaFile } from "../model.js";
import type { RenderedHba } from "../render/index.js";
import { baselineDocument, parseBaseline } from "./baseline.js";
import { type LintContextGiven, lintContextOf } from "./context-precedence.js";
import { groupBySourceRule } from "./group-findings.js";
import { CHECK_IDS, ignoredCheckIds } from "./known-checks.js";
import type { LintContext } from "./lint-rule.js";
import { parseErrorFindings } from "./parse-error.js";
import { renderedRuleOrigins } from "./rule-origins.js";
import { lintRules } from "./run-lint.js";
import { applySuppressions, type BaselineEntry, type SuppressedFinding, type Suppressions } from "./suppress.js";

/** Rules to lint and what their source tells lint (a server's superusers, ssl and ident maps; an inventory's superusers). */
export interface LintedSource {
  /** The source in a person's words. */
  readonly label: string;
  readonly file: HbaFile;
  readonly context: Partial<LintContext>;
  /** For an inventory: the rendered file, so the lines of one rule give one finding. */
  readonly rendered?: RenderedHba;
  readonly inventory?: { readonly file: string };
}

/** What the person asks of lint (hba lint's flags). */
export interface LintSourceRequest extends LintContextGiven {
  /** The pg_hba.conf given as FILE, if any: parse errors are named after it. */
  readonly fileArgument?: string;
  /** Checks not to report. */
  readonly ignore?: readonly string[];
  /** A baseline of accepted findings to read. */
  readonly baseline?: string;
  /** Accept every finding reported now: write them to this baseline. */
  readonly writeBaseline?: string;
  /** The severity from which a finding fails the run. */
  readonly failOn: Severity;
}

/** Where lint's inputs come from and its notes go: the I/O the command owns. */
export interface LintSourceIo<S extends LintedSource> {
  /** Reads the rules (after the request's checks and baseline passed). */
  readonly load: () => Promise<S>;
  readonly readBaseline: (path: string) => Promise<BaselineEntry[]>;
  readonly writeBaseline: (path: string, findings: readonly Finding[]) => Promise<void>;
  /** The lines of the files whose `# pgwarden:ignore` comments count for this source. */
  readonly linesOf: (source: S) => NonNullable<Suppressions["linesOf"]>;
  readonly onWarning: (message: string) => void;
  readonly onInfo: (message: string) => void;
}

export interface LintSourceResult<S extends LintedSource> {
  readonly source: S;
  /** The context the checks ran with. */
  readonly context: LintContext;
  readonly rulesChecked: number;
  /** What counts for failOn: parse errors first (PostgreSQL refuses the whole file for any one), then by position. */
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
  /** Baseline entries that matched no finding. */
  readonly staleBaseline: readonly BaselineEntry[];
  /** A finding reaches failOn. */
  readonly fails: boolean;
}

/**
 * `hba lint`: the rules checked in the context their source and the person give, an inventory
 * rule's lines grouped into one finding, parse errors first, then --ignore, inline comments and
 * the baseline applied. With writeBaseline, everything not otherwise accepted becomes the
 * baseline, and the result counts none of it.
 */
export async function lintSource<S extends LintedSource>(
  request: LintSourceRequest,
  io: LintSourceIo<S>,
): Promise<LintSourceResult<S>> {
  const ignore = ignoredCheckIds(request.ignore);
  const baseline = request.baseline === undefined ? undefined : await io.readBaseline(request.baseline);
  const source = await io.load();
  const context = await lintContextOf(source.context, request);
  const result = lintRules(source.file.rules, context);
  const grouped = source.rendered
    ? groupBySourceRule(
        result.findings,
        source.file.rules,
        renderedRuleOrigins(source.file, source.rendered, source.inventory?.file),
      )
    : result.findings;
  const all: Finding[] = [...parseErrorFindings(source.file, request.fileArgument ?? source.label), ...grouped];
  const linesOf = io.linesOf(source);
  let checked = applySuppressions(all, { ignore, linesOf, ...(baseline ? { baseline } : {}) }, CHECK_IDS);
  for (const { source: at, id } of checked.unknownInline) {
    io.onWarning(
      id === ""
        ? `${at.file}:${at.line}: pgwarden:ignore names no check, so it suppresses nothing: name one (# pgwarden:ignore md5-deprecated; see hba lint --list-checks)`
        : `${at.file}:${at.line}: pgwarden:ignore names ${id}, which is no check (see hba lint --list-checks)`,
    );
  }
  if (request.writeBaseline !== undefined) {
    // What is not accepted otherwise becomes the baseline; the report then counts none of it.
    const accepted = [
      ...checked.findings,
      ...checked.suppressed.filter((finding) => finding.suppressedBy === "baseline"),
    ];
    await io.writeBaseline(request.writeBaseline, accepted);
    io.onInfo(`wrote ${accepted.length} findings to the baseline ${request.writeBaseline}`);
    checked = applySuppressions(
      all,
      {
        ignore,
        linesOf,
        baseline: parseBaseline(JSON.stringify(baselineDocument(accepted)), request.writeBaseline),
      },
      CHECK_IDS,
    );
  }
  const { findings, suppressed, staleBaseline } = checked;
  return {
    source,
    context,
    rulesChecked: result.rulesChecked,
    findings,
    suppressed,
    staleBaseline,
    fails: failsAt(findings, request.failOn),
  };
}
