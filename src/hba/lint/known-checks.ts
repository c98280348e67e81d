import { usageError } from "../../core/errors.js";
import { PARSE_ERROR } from "./parse-error.js";
import { LINT_CHECKS } from "./rules/index.js";

/** Every check a finding can come from, parse errors included. */
export const ALL_CHECKS = [...LINT_CHECKS, PARSE_ERROR];

/** The id of every check in {@link ALL_CHECKS}. */
export const CHECK_IDS: ReadonlySet<string> = new Set(ALL_CHECKS.map((check) => check.id));

/** Checks to ignore (--ignore), each one a check's id; an unknown one is a usage error (exit 2) naming the valid ones. */
export function ignoredCheckIds(ids: readonly string[] = []): Set<string> {
  const unknown = ids.filter((id) => !CHECK_IDS.has(id));
  if (unknown.length > 0)
    throw usageError(
      "lint-ignore-unknown",
      `--ignore ${unknown.join(", ")}: no such check; checks are ${[...CHECK_IDS].join(", ")} (see --list-checks)`,
    );
  return new Set(ids);
}
