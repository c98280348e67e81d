import { ExitCode, PgwardenError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { findingFingerprint } from "./fingerprint.js";
import type { BaselineEntry } from "./suppress.js";

export const BASELINE_VERSION = 1;

/** What `hba lint --write-baseline FILE` writes: the findings accepted today, known by check and fingerprint. */
export function baselineDocument(findings: readonly Finding[]): object {
  return {
    pgwardenBaseline: BASELINE_VERSION,
    findings: findings.map((finding) => ({
      id: finding.id,
      fingerprint: findingFingerprint(finding),
      source: finding.source,
      message: finding.message,
    })),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function invalid(file: string, why: string): PgwardenError {
  return new PgwardenError(
    "lint-baseline-invalid",
    `${file}: not a baseline (${why}): write one with hba lint --write-baseline ${file}, or give a report of hba lint --format json`,
    ExitCode.usage,
  );
}

/**
 * The entries of a baseline file: one written by --write-baseline, or a `--format json` report
 * (its findings; each has a fingerprint, else one is computed from its id and rule text).
 */
export function parseBaseline(text: string, file: string): BaselineEntry[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `JSON: ${(error as Error).message}`);
  }
  if (!isRecord(document) || !Array.isArray(document.findings)) throw invalid(file, "no findings list");
  return document.findings.map((item, index) => {
    if (!isRecord(item) || typeof item.id !== "string") throw invalid(file, `findings[${index}] has no id`);
    const source =
      isRecord(item.source) && typeof item.source.file === "string" && typeof item.source.line === "number"
        ? { source: { file: item.source.file, line: item.source.line } }
        : {};
    const message = typeof item.message === "string" ? { message: item.message } : {};
    if (typeof item.fingerprint === "string")
      return { id: item.id, fingerprint: item.fingerprint, ...source, ...message };
    if (typeof item.rule === "string" && typeof item.message === "string")
      return {
        id: item.id,
        fingerprint: findingFingerprint({ id: item.id, rule: item.rule, message: item.message }),
        ...source,
        ...message,
      };
    throw invalid(file, `findings[${index}] has neither a fingerprint nor a rule and message`);
  });
}
