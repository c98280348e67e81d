import { type ExitCodeValue, PgwardenError, type Problem } from "../core/errors.js";
import { type SourceLocation } from "../core/source-location.js";
import { sourceDetail } from "./source-detail.js";

/** A problem at `source`, with the column and key path the loader recorded for it. */
export function problemAt(source: SourceLocation, message: string, rule?: string): Problem {
  const { column, path } = sourceDetail(source);
  return {
    file: source.file,
    line: source.line,
    ...(column === undefined ? {} : { column }),
    ...(path === undefined ? {} : { path }),
    severity: "error",
    message,
    ...(rule === undefined ? {} : { rule }),
  };
}

/** `file:line:column: ` (empty when the file is not known). */
export function problemPlace(problem: Problem): string {
  return problem.file === ""
    ? ""
    : `${problem.file}:${problem.line}:${problem.column === undefined ? "" : `${problem.column}:`} `;
}

/** `file:line:column: severity: message`, as compilers print it (no place when the file is not known). */
export function problemText(problem: Problem): string {
  return `${problemPlace(problem)}${problem.severity}: ${problem.message}`;
}

/** In file order, as a compiler lists them; problems at one place keep the order they were found in. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0),
  );
}

/**
 * One error for every problem found (exit `exitCode`), carrying them all in `problems` for
 * the CLI to list. One problem is its own message (`file:line: message`); several are summed
 * up (`3 password policy problems in pigsty.yml: ...`), each listed with its place.
 */
export function problemsError(
  code: string,
  problems: readonly Problem[],
  exitCode: ExitCodeValue,
  what: { readonly many: string; readonly after?: string },
): PgwardenError {
  const sorted = sortProblems(problems);
  const first = sorted[0];
  if (first === undefined) throw new Error("problemsError needs at least one problem");
  const after = what.after === undefined ? "" : `: ${what.after}`;
  const files = [...new Set(sorted.map((problem) => problem.file))].filter((file) => file !== "");
  const message =
    sorted.length === 1
      ? `${first.file === "" ? "" : `${first.file}:${first.line}: `}${first.message}`
      : `${sorted.length} ${what.many}${files.length > 0 ? ` in ${files.join(", ")}` : ""}${after}`;
  return new PgwardenError(code, message, exitCode, { problems: sorted });
}
