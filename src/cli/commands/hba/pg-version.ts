import { Option } from "commander";

import { usageError } from "../../../core/errors.js";

/** The oldest major version whose pg_hba.conf pgwarden reads. */
const OLDEST_MAJOR = 10;

/** --pg-version MAJOR: how a FILE is read (and, for explain, matched). */
export function pgVersionOption(): Option {
  return new Option(
    "--pg-version <major>",
    "the PostgreSQL major version the rules are for: before 16 a /token is a plain name and include lines are errors (default 16 or later; --conn asks the server)",
  );
}

/** The flag's major version; a usage error (exit 2) when it is not one. */
export function majorVersionFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,3}$/.test(text) || Number(text) < OLDEST_MAJOR)
    throw usageError(
      "bad-pg-version",
      `--pg-version must be a PostgreSQL major version (${OLDEST_MAJOR} or later), got ${JSON.stringify(text)}`,
    );
  return Number(text);
}
