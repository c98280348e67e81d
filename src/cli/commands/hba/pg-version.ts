import { Option } from "commander";

import { integerFlag } from "../../number-flags.js";

/** The oldest major version whose pg_hba.conf pgwarden reads. */
const OLDEST_MAJOR = 10;
/** Three digits: a bound for typos, far above any release. */
const NEWEST_MAJOR = 999;

/** --pg-version MAJOR: how a FILE is read (and, for explain, matched); a number, or a usage error (exit 2). */
export function pgVersionOption(): Option {
  return new Option(
    "--pg-version <major>",
    "the PostgreSQL major version the rules are for: before 16 a /token is a plain name and include lines are errors (default 16 or later; --conn asks the server)",
  ).argParser(
    integerFlag({
      flag: "--pg-version",
      min: OLDEST_MAJOR,
      max: NEWEST_MAJOR,
      code: "bad-pg-version",
      what: "a PostgreSQL major version",
    }),
  );
}
