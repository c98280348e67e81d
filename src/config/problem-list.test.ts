import assert from "node:assert/strict";
import { test } from "node:test";

import { ExitCode, type Problem } from "../core/errors.js";
import { problemsError, problemText, sortProblems } from "./problem-list.js";

const problem = (file: string, line: number, column: number | undefined, message: string): Problem => ({
  file,
  line,
  ...(column === undefined ? {} : { column }),
  severity: "error",
  message,
});

test("a problem prints as compilers print one: file:line:column: severity: message", () => {
  assert.equal(problemText(problem("pigsty.yml", 12, 11, "app: too short")), "pigsty.yml:12:11: error: app: too short");
  assert.equal(
    problemText(problem("pigsty.yml", 12, undefined, "app: too short")),
    "pigsty.yml:12: error: app: too short",
  );
  assert.equal(
    problemText(problem("", 0, undefined, "app: too short")),
    "error: app: too short",
    "no place when none is known",
  );
});

test("problems sort by file, line and column, keeping the order of those at one place", () => {
  const sorted = sortProblems([
    problem("b.yml", 1, 1, "b"),
    problem("a.yml", 9, 3, "a9"),
    problem("a.yml", 2, 7, "first"),
    problem("a.yml", 2, 7, "second"),
    problem("a.yml", 2, 1, "a2"),
  ]);
  assert.deepEqual(
    sorted.map((each) => each.message),
    ["a2", "first", "second", "a9", "b"],
  );
});

test("one problem is its own one-line message; several are summed up and all kept", () => {
  const one = problemsError("x", [problem("pigsty.yml", 4, 9, "app: bad")], ExitCode.config, { many: "problems" });
  assert.equal(one.message, "pigsty.yml:4: app: bad");
  assert.equal(one.problems?.length, 1);
  const several = problemsError(
    "x",
    [problem("pigsty.yml", 9, 1, "late"), problem("pigsty.yml", 4, 9, "early")],
    ExitCode.config,
    { many: "problems", after: "fix them" },
  );
  assert.equal(several.message, "2 problems in pigsty.yml: fix them");
  assert.deepEqual(
    several.problems?.map((each) => each.message),
    ["early", "late"],
  );
  assert.equal(several.exitCode, ExitCode.config);
});
