import type { Finding } from "../../core/finding.js";
import type { HbaFile } from "../model.js";
import type { LintCheck } from "./lint-rule.js";

/** A record PostgreSQL cannot read: described like a check, so reports list it with the others. */
export const PARSE_ERROR: Pick<LintCheck, "id" | "severity" | "title" | "why"> = {
  id: "parse-error",
  severity: "high",
  title: "line PostgreSQL cannot read",
  why: "one bad line makes PostgreSQL refuse the whole file: a reload keeps the old rules (the change you made is not in force) and a restart fails to start the server.",
};

const FIX =
  "correct the line as the message says (pgwarden hba apply checks a file with PostgreSQL before it is loaded)";

/**
 * Each record PostgreSQL would refuse, as a finding at its file and line; a file with no rule
 * at all (empty, or only comments) is refused whole, as load_hba does ("contains no entries").
 * A server also reports rows it does load with a complaint (hostssl while ssl is off): those
 * are rules, judged by the checks, not refusals.
 */
export function parseErrorFindings(file: HbaFile, fileName: string): Finding[] {
  if (file.rules.length === 0 && file.errors.length === 0) {
    return [
      {
        id: PARSE_ERROR.id,
        severity: PARSE_ERROR.severity,
        source: { file: fileName, line: 0 },
        rule: "",
        message: `configuration file "${fileName}" contains no entries, so PostgreSQL refuses to load it`,
        why: PARSE_ERROR.why,
        fix: "write at least one rule (a local line for the superuser, for a start)",
      },
    ];
  }
  const loaded = new Set(file.rules.map((rule) => `${rule.source.line}:${rule.source.file}`));
  return file.errors
    .filter((error) => !loaded.has(`${error.source.line}:${error.source.file}`))
    .map((error) => ({
      id: PARSE_ERROR.id,
      severity: PARSE_ERROR.severity,
      source: error.source,
      rule: "",
      message: error.message,
      why: PARSE_ERROR.why,
      fix: FIX,
    }));
}
