import assert from "node:assert/strict";
import { test } from "node:test";

import { locatedSource } from "../config/source-detail.js";
import { duplicateRoleProblems, type RoleDeclaration } from "./duplicate-roles.js";

const at = (line: number, file = "pigsty.yml") => locatedSource(file, line, { column: 11, path: `pg_users@${line}` });

test("a role named three times in one list: an error at each entry naming the two others; named once, nothing", () => {
  const declarations: RoleDeclaration[] = [
    { name: "app", origin: "pg_users", source: at(7) },
    { name: "other", origin: "pg_users", source: at(8) },
    { name: "app", origin: "pg_users", source: at(9) },
    { name: "app", origin: "pg_users", source: at(3, "group_vars/all.yml") },
  ];
  const problems = duplicateRoleProblems(declarations, "pg-test");
  assert.deepEqual(
    problems.map((problem) => [
      problem.file,
      problem.line,
      problem.column,
      problem.severity,
      problem.rule,
      problem.message.replace(/: declare each role once.*/, ""),
    ]),
    [
      [
        "pigsty.yml",
        7,
        11,
        "error",
        "duplicate-role",
        "pg_users app is also declared at line 9:11, group_vars/all.yml:3:11",
      ],
      [
        "pigsty.yml",
        9,
        11,
        "error",
        "duplicate-role",
        "pg_users app is also declared at line 7:11, group_vars/all.yml:3:11",
      ],
      [
        "group_vars/all.yml",
        3,
        11,
        "error",
        "duplicate-role",
        "pg_users app is also declared at pigsty.yml:7:11, pigsty.yml:9:11",
      ],
    ],
  );
  assert.deepEqual(
    duplicateRoleProblems(
      declarations.filter((each) => each.name === "other"),
      "pg-test",
    ),
    [],
  );
});

test("twice in pg_default_roles is an error too; with pg_users as well, the override warnings come on top", () => {
  const problems = duplicateRoleProblems(
    [
      { name: "readers", origin: "pg_default_roles", source: at(20) },
      { name: "readers", origin: "pg_default_roles", source: at(21) },
      { name: "readers", origin: "pg_users", source: at(30) },
    ],
    "pg-test",
  );
  assert.deepEqual(
    problems.map((problem) => [problem.line, problem.severity, problem.rule]),
    [
      [20, "error", "duplicate-role"],
      [21, "error", "duplicate-role"],
      [30, "warning", "overrides-default-role"],
      [20, "warning", "overrides-default-role"],
      [21, "warning", "overrides-default-role"],
    ],
  );
  assert.match(
    problems[0]?.message ?? "",
    /^pg_default_roles readers is also declared at line 21:11: declare each role once; Pigsty applies every entry in turn/,
  );
  assert.match(
    problems[2]?.message ?? "",
    /^pg_users readers is also declared in pg_default_roles at line 20:11, line 21:11: Pigsty creates pg_default_roles first/,
  );
});

test("an entry built without a place is still reported, with an empty file, never dropped", () => {
  const problems = duplicateRoleProblems(
    [
      { name: "app", origin: "pg_users" },
      { name: "app", origin: "pg_users" },
    ],
    "pg-test",
  );
  assert.deepEqual(
    problems.map((problem) => [
      problem.file,
      problem.line,
      problem.severity,
      problem.message.replace(/: declare each role once.*/, ""),
    ]),
    [
      ["", 0, "error", "pg_users app is also declared at an entry pgwarden cannot place"],
      ["", 0, "error", "pg_users app is also declared at an entry pgwarden cannot place"],
    ],
  );
});
