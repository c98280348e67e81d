import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "./errors.js";
import { checkNewRoleName, identifierProblem, newRoleNameProblem, roleNameProblem } from "./role-name.js";

// name, then what each level says: an identifier, a role name written by a person, a role pgwarden makes.
const CASES: readonly (readonly [string, RegExp | undefined, RegExp | undefined, RegExp | undefined])[] = [
  ["dbuser_app", undefined, undefined, undefined],
  ["x".repeat(63), undefined, undefined, undefined],
  ["\u00e9".repeat(31) + "x", undefined, undefined, undefined], // 63 bytes
  ["Mixed Case", undefined, undefined, undefined],
  ["pg", undefined, undefined, undefined],
  ["pgx_app", undefined, undefined, undefined],
  ["publicity", undefined, undefined, undefined],
  ["", /expected a role name, got an empty string/, /got an empty string/, /got an empty string/],
  ["x".repeat(64), /longer than 63 bytes/, /longer than 63 bytes/, /longer than 63 bytes/],
  ["\u00e9".repeat(32), /longer than 63 bytes/, /longer than 63 bytes/, /longer than 63 bytes/],
  ["a\0b", /NUL/, /NUL/, /NUL/],
  ["a\nb", undefined, /control character/, /control character/],
  // PostgreSQL's own roles may be referred to (a membership of pg_monitor), never made.
  ["pg_monitor", undefined, undefined, /starts with "pg_", which PostgreSQL reserves/],
  ["pg_x", undefined, undefined, /starts with "pg_"/],
  ["pg_", undefined, undefined, /starts with "pg_"/],
  ["PG_x", undefined, undefined, undefined],
  ["public", undefined, undefined, /PostgreSQL refuses it/],
  ["Public", undefined, undefined, undefined],
  ["none", undefined, undefined, /PostgreSQL refuses it/],
  ["current_user", undefined, undefined, /means the session's role/],
  ["CURRENT_ROLE", undefined, undefined, /means the session's role/],
  ["session_user", undefined, undefined, /means the session's role/],
];

test("one role-name validator, three levels: identifier, role name, a role pgwarden makes", () => {
  for (const [name, identifier, role, created] of CASES) {
    const label = JSON.stringify(name);
    for (const [problem, expected] of [
      [identifierProblem(name, "role name"), identifier],
      [roleNameProblem(name), role],
      [newRoleNameProblem(name), created],
    ] as const) {
      if (expected === undefined) assert.equal(problem, undefined, label);
      else assert.match(problem ?? "", expected, label);
    }
  }
});

test("the message names the subject and the name as written", () => {
  assert.equal(
    newRoleNameProblem("pg_x", "client CN"),
    'client CN "pg_x" starts with "pg_", which PostgreSQL reserves for its own roles: choose another name',
  );
  assert.equal(
    roleNameProblem("x".repeat(64), "--role"),
    `--role "${"x".repeat(64)}" is longer than 63 bytes, so PostgreSQL would truncate it: use a shorter name`,
  );
});

test("checkNewRoleName returns a good name and throws a usage error (exit 2, bad-role-name) for a bad one", () => {
  assert.equal(checkNewRoleName("dbuser_app"), "dbuser_app");
  assert.throws(
    () => checkNewRoleName("none"),
    (error: unknown) => error instanceof PgwardenError && error.code === "bad-role-name" && error.exitCode === 2,
  );
});
