import { escapeText } from "../../core/escape-text.js";
import { SEVERITIES, type Severity, SEVERITY_LABEL, severityRank } from "../../core/finding.js";
import { type SourceLocation } from "../../core/source-location.js";
import { type AuditFinding } from "../audit-finding.js";
import { type Layer, LAYER_TITLES, LAYERS } from "../layer.js";
import { type AuditReport, type Soc2Status } from "./audit-report.js";
import { describeTarget } from "./describe-target.js";
import { type ScoreBand, scoreBand } from "./score-band.js";

/** How the text report is written. */
export interface TextOptions {
  /** ANSI colours (a terminal): severities, scores and SOC 2 statuses stand out. Never for a pipe or a file. */
  readonly color: boolean;
}

/** Where a finding's further lines start: under its message, past the severity label. */
const INDENT = " ".repeat(11);

const SGR = {
  bold: "1",
  dim: "2",
  red: "31",
  boldRed: "1;31",
  green: "32",
  yellow: "33",
  boldYellow: "1;33",
  cyan: "36",
} as const;
type Paint = keyof typeof SGR;

const SEVERITY_PAINT: Readonly<Record<Severity, Paint>> = {
  critical: "boldRed",
  high: "red",
  medium: "yellow",
  low: "cyan",
  info: "dim",
};
const STATUS_PAINT: Readonly<Record<Soc2Status, Paint>> = {
  met: "green",
  "partly met": "yellow",
  "not met": "boldRed",
  "not assessed": "dim",
};
const BAND_PAINT: Readonly<Record<ScoreBand, Paint>> = { good: "green", fair: "yellow", poor: "red" };

/**
 * The audit as text for a person: the targets; then each layer, worst score first, with its
 * findings worst first (severity, id, target, message, the evidence with the file:line it was
 * read from, the fix); the checks that could not run with the grant that would let them; the
 * SOC 2 table; with a baseline, new findings marked and the fixed ones listed; and a last
 * summary line. Text the server chose is escaped, so a role named with terminal escapes shows
 * as escapes; a fix is printed line by line as it is to be pasted, or, when it names something
 * with a control character, referred to the JSON report; colours (ANSI) only when `options.color`.
 */
export function renderText(report: AuditReport, options: TextOptions = { color: false }): string {
  const paint = (style: Paint, text: string) => (options.color ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text);
  const show = (text: string) => escapeText(text);
  const fresh = new Set(report.baseline?.new ?? []);
  const lines: string[] = [];

  lines.push(paint("bold", `pgwarden audit, ${report.generatedAt}, pgwarden ${show(report.version)}`));
  for (const target of report.targets) lines.push(`  ${show(target.name)}: ${show(describeTarget(target))}`);
  if (report.baseline) {
    const { baseline } = report;
    lines.push(
      `Compared with ${show(baseline.file)} (${show(baseline.generatedAt)}): ${baseline.new.length} new (marked new), ` +
        `${baseline.fixed.length} fixed, ${baseline.unchanged.length} unchanged`,
    );
  }

  for (const layer of layersWorstFirst(report)) {
    const score = report.scores.layers[layer];
    const findings = worstFirst(report.findings.filter((finding) => finding.layer === layer));
    const standing =
      score.checksRun === 0
        ? "not assessed, no check ran"
        : `${paint(scorePaint(score.score), `${score.score}/100`)}  ${score.checksPassed} of ${score.checksRun} checks passed`;
    lines.push("", `${paint("bold", LAYER_TITLES[layer].title)}  ${standing}. ${LAYER_TITLES[layer].question}`);
    if (findings.length === 0 && score.checksRun > 0) lines.push("  no findings");
    for (const finding of findings) {
      const mark = fresh.has(finding.fingerprint) ? ` ${paint("boldYellow", "[new]")}` : "";
      lines.push(...findingLines(finding, mark, paint));
    }
  }

  if (report.notRun.length > 0) {
    lines.push("", paint("bold", `Checks not run (${report.notRun.length})`));
    for (const entry of report.notRun) {
      lines.push(`  ${entry.check} on ${show(entry.target)}: ${show(entry.reason)}`);
      if (entry.grant) lines.push(`${INDENT}to run it: ${show(entry.grant)}`);
    }
  }

  lines.push("", paint("bold", "SOC 2 controls"));
  const titleWidth = Math.max(...report.soc2.map((row) => row.title.length), 0);
  for (const row of report.soc2)
    lines.push(
      `  ${row.control.padEnd(6)} ${row.title.padEnd(titleWidth)}  ` +
        `${paint(STATUS_PAINT[row.status], row.status.padEnd(12))}  ${show(row.basis)}`,
    );

  if (report.baseline && report.baseline.fixed.length > 0) {
    lines.push("", paint("bold", `Fixed since ${show(report.baseline.file)} (${report.baseline.fixed.length})`));
    for (const finding of worstFirst(report.baseline.fixed))
      lines.push(
        `  ${SEVERITY_LABEL[finding.severity].padEnd(8)} ${finding.id} on ${show(finding.target)}: ${show(finding.message)}`,
      );
  }

  lines.push("", paint("bold", summaryLine(report)));
  return `${lines.join("\n")}\n`;
}

function findingLines(finding: AuditFinding, mark: string, paint: (style: Paint, text: string) => string): string[] {
  const show = (text: string) => escapeText(text);
  const label = paint(SEVERITY_PAINT[finding.severity], SEVERITY_LABEL[finding.severity].padEnd(8));
  return [
    `  ${label} ${show(finding.id)} on ${show(finding.target)}${mark}: ${show(finding.message)}`,
    ...(finding.source ? [`${INDENT}at ${place(finding.source)}`] : []),
    ...finding.evidence.map(
      (evidence) =>
        `${INDENT}${show(evidence.label)}: ${show(evidence.value)}${evidence.source ? ` (${place(evidence.source)})` : ""}`,
    ),
    ...fixLines(finding.fix),
  ];
}

/** Where a fix's further lines start: under its first line, past `fix: `. */
const FIX_INDENT = `${INDENT}     `;

/**
 * A fix as lines to paste: a multi-line fix (psql's `\connect` then SQL) one line each, the
 * others indented under the first (psql ignores the spaces). A fix that names something with a
 * control character (a role called "a<newline>b", an escape) cannot be shown as written: escaped,
 * it would name another role, broken across lines, a different one; the JSON report holds it
 * exactly, so the text says to look there rather than print a statement that does not do the job.
 */
function fixLines(fix: string): string[] {
  if (!showableAsWritten(fix))
    return [
      `${INDENT}fix: not shown here: it names something with a control character that text cannot show as ` +
        "written; see --format json",
    ];
  const [first, ...rest] = fix.split("\n");
  return [`${INDENT}fix: ${first ?? ""}`, ...rest.map((line) => `${FIX_INDENT}${line}`)];
}

/**
 * Whether a fix can be printed as is: no control character but the newlines and tabs between
 * statements (escapeText would change nothing else), and no newline inside a quoted literal or
 * name, where the indentation added would change it. `--` comments run to the end of their line.
 */
function showableAsWritten(fix: string): boolean {
  if (escapeText(fix.replace(/[\n\t]/g, "")) !== fix.replace(/[\n\t]/g, "")) return false;
  let quote: string | undefined;
  for (let at = 0; at < fix.length; at += 1) {
    const char = fix[at] as string;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === "\n") return false;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === "-" && fix[at + 1] === "-") {
      const end = fix.indexOf("\n", at);
      if (end < 0) return true;
      at = end;
    }
  }
  return true;
}

/** The layers, lowest score first, those where no check ran last; equal scores keep the order of the four layers. */
function layersWorstFirst(report: AuditReport): Layer[] {
  const rank = (layer: Layer) => {
    const score = report.scores.layers[layer];
    return score.checksRun === 0 ? Number.POSITIVE_INFINITY : score.score;
  };
  return [...LAYERS].sort((a, b) => rank(a) - rank(b));
}

/** Worst severity first; findings of one severity keep the report's order (target, check, subject). */
function worstFirst(findings: readonly AuditFinding[]): AuditFinding[] {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

function place(source: SourceLocation): string {
  return `${escapeText(source.file)}:${source.line}`;
}

function scorePaint(score: number): Paint {
  return BAND_PAINT[scoreBand(score)];
}

/** `overall 62/100: 1 critical, 2 high (3 findings) on 2 targets (1 not audited); since the baseline: ...`. */
function summaryLine(report: AuditReport): string {
  const counts = [...SEVERITIES]
    .reverse()
    .map((severity) => [severity, report.findings.filter((finding) => finding.severity === severity).length] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => `${n} ${severity}`);
  const findings =
    report.findings.length === 0
      ? "no findings"
      : `${counts.join(", ")} (${plural(report.findings.length, "finding")})`;
  const unreachable = report.targets.filter((target) => !target.reachable).length;
  const targets = `${plural(report.targets.length, "target")}${unreachable > 0 ? ` (${unreachable} not audited)` : ""}`;
  const baseline = report.baseline
    ? `; since the baseline: ${report.baseline.new.length} new, ${report.baseline.fixed.length} fixed, ` +
      `${report.baseline.unchanged.length} unchanged`
    : "";
  const notRun = report.notRun.length > 0 ? `; ${plural(report.notRun.length, "check")} not run` : "";
  return `overall ${report.scores.overall.score}/100: ${findings} on ${targets}${notRun}${baseline}`;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
