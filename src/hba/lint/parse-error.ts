import type { HbaFile } from "../model.js";
import type { Finding } from "./finding.js";
import type { LintCheck } from "./lint-rule.js";

/** A record PostgreSQL cannot read: described like a check, so reports list it with the others. */
export const PARSE_ERROR: Pick<LintCheck, "id" | "severity" | "title" | "why"> = {
  id: "parse-error",
  severity: "high",
  title: "line PostgreSQL cannot read",
  why: "one bad line makes PostgreSQL refuse the whole file: a reload keeps the old rules (the change you made is not in force) and a restart fails to start the server.",
};

/**
 * Each record PostgreSQL would refuse, as a finding at its file and line. A server also
 * reports rows it does load with a complaint (hostssl while ssl is off): those are rules,
 * judged by the checks, not refusals.
 */
export function parseErrorFindings(file: HbaFile): Finding[] {
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
      fix: "correct the line as the message says (pgwarden hba apply checks a file with PostgreSQL before it is loaded)",
    }));
}
