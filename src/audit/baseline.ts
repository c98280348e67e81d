import { PgwardenError, usageError } from "../core/errors.js";
import { readInputFile } from "../core/fs/read-input.js";
import { type AuditFinding } from "./audit-finding.js";
import { type AuditReport, type BaselineComparison } from "./report/audit-report.js";
import { targetUnreachable } from "./target-unreachable.js";

/** An earlier audit report as `--baseline` reads it: when it was made, and its findings. */
export interface AuditBaseline {
  readonly file: string;
  readonly generatedAt: string;
  readonly findings: readonly AuditFinding[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const FINDING_TEXT_KEYS = ["id", "title", "severity", "layer", "target", "subject", "message", "why", "fix"] as const;

/** A finding of the baseline with the fields a report's finding has (extra keys of another version dropped), or undefined. */
function findingOf(value: unknown): AuditFinding | undefined {
  if (!isRecord(value) || typeof value.fingerprint !== "string") return undefined;
  if (FINDING_TEXT_KEYS.some((key) => typeof value[key] !== "string")) return undefined;
  const evidence = Array.isArray(value.evidence) ? value.evidence.filter(isRecord) : [];
  const finding = {
    ...Object.fromEntries(FINDING_TEXT_KEYS.map((key) => [key, value[key]])),
    soc2: Array.isArray(value.soc2) ? value.soc2.filter((entry) => typeof entry === "string") : [],
    ...(typeof value.cis === "string" ? { cis: value.cis } : {}),
    evidence: evidence.map((entry) => ({
      label: String(entry.label),
      value: String(entry.value),
      ...(isRecord(entry.source) ? { source: entry.source } : {}),
    })),
    ...(isRecord(value.source) ? { source: value.source } : {}),
    fingerprint: value.fingerprint,
  };
  return finding as unknown as AuditFinding;
}

/**
 * Reads an earlier `pgwarden audit --format json` report. Missing: exit 4; not JSON, or JSON
 * that is not an audit report (an `hba lint` baseline, another tool's file): exit 2, saying what
 * the file should be. Nothing is written.
 */
export async function readAuditBaseline(file: string): Promise<AuditBaseline> {
  let text: string;
  try {
    text = await readInputFile(file, "--baseline", "baseline-not-found");
  } catch (error) {
    if (error instanceof PgwardenError) throw error;
    throw usageError("baseline-unreadable", `--baseline ${file} cannot be read: ${(error as Error).message}`);
  }
  const notAReport = (why: string) =>
    usageError(
      "baseline-not-an-audit-report",
      `--baseline ${file} ${why}: give a report written earlier by pgwarden audit --format json`,
    );
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw notAReport("is not JSON");
  }
  if (!isRecord(document) || document.tool !== "pgwarden" || !Array.isArray(document.findings))
    throw notAReport("is not a pgwarden audit report");
  if (typeof document.generatedAt !== "string" || Number.isNaN(Date.parse(document.generatedAt)))
    throw notAReport("has no generatedAt time");
  const findings: AuditFinding[] = [];
  for (const [index, entry] of document.findings.entries()) {
    const finding = findingOf(entry);
    if (finding === undefined) throw notAReport(`has a finding (findings[${index}]) without its id and fingerprint`);
    findings.push(finding);
  }
  return { file, generatedAt: document.generatedAt, findings };
}

/**
 * What changed since the baseline, by fingerprint (check, target, subject): findings new now,
 * unchanged, and fixed. A baseline finding counts as fixed only on a target audited now (reached,
 * and the check not listed as not run there): a server left out or unreachable fixed nothing.
 */
export function compareWithBaseline(report: AuditReport, baseline: AuditBaseline): BaselineComparison {
  const before = new Set(baseline.findings.map((finding) => finding.fingerprint));
  const now = new Set(report.findings.map((finding) => finding.fingerprint));
  const audited = new Set(report.targets.filter((target) => target.reachable).map((target) => target.name));
  const notRun = new Set(report.notRun.map((entry) => `${entry.check}\0${entry.target}`));
  const fingerprints = (findings: readonly AuditFinding[]) => [...new Set(findings.map((f) => f.fingerprint))];
  return {
    file: baseline.file,
    generatedAt: baseline.generatedAt,
    new: fingerprints(report.findings.filter((finding) => !before.has(finding.fingerprint))),
    unchanged: fingerprints(report.findings.filter((finding) => before.has(finding.fingerprint))),
    fixed: baseline.findings.filter(
      (finding) =>
        !now.has(finding.fingerprint) && audited.has(finding.target) && !notRun.has(`${finding.id}\0${finding.target}`),
    ),
  };
}

/**
 * The findings `--fail-on` weighs: with a baseline the new ones and every server not audited now
 * (target/unreachable, even unchanged: a gate must not pass a server it never audited), else all.
 */
export function findingsThatCount(report: AuditReport): readonly AuditFinding[] {
  if (report.baseline === undefined) return report.findings;
  const fresh = new Set(report.baseline.new);
  return report.findings.filter((finding) => fresh.has(finding.fingerprint) || finding.id === targetUnreachable.id);
}
