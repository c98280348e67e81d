import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import ts from "typescript";

import { checkDocComments, checkProject, citedNames, type DocCommentProblem } from "./support/doc-comments.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function check(
  text: string,
  knownNames: readonly string[] = [],
  knownFiles: readonly string[] = ["planted.ts"],
): Pick<DocCommentProblem, "line" | "kind">[] {
  const sourceFile = ts.createSourceFile("planted.ts", text, ts.ScriptTarget.Latest, true);
  return checkDocComments(sourceFile, new Set(knownNames), new Set(knownFiles)).map(({ line, kind }) => ({
    line,
    kind,
  }));
}

/** The base names of the repository's files. */
function repositoryFiles(): Set<string> {
  const files = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n");
  return new Set(files.map((file) => file.slice(file.lastIndexOf("/") + 1)));
}

describe("doc comments: the checker finds each kind of misplaced comment", () => {
  test("a doc comment on the declaration after it passes, members and object properties included", () => {
    const text = [
      "/** Adds. */",
      "export function add(a: number, b: number): number {",
      "  return a + b;",
      "}",
      "interface Shape {",
      "  /** Sides, `add()` counts them. */",
      "  readonly sides: number;",
      "}",
      "const rules = [{ /** Why. */ id: 1 }];",
      "export type Both = Shape | typeof rules;",
    ].join("\n");
    assert.deepEqual(check(text), []);
  });

  test("a file overview written as a doc comment, followed by a blank line, is detached", () => {
    assert.deepEqual(check("/** What this file is for. */\n\nexport const x = 1;\n"), [{ line: 1, kind: "detached" }]);
  });

  test("a doc comment before imports or a statement documents nothing", () => {
    assert.deepEqual(check('/** Overview. */\nimport { x } from "./x.js";\nexport const y = x;\n'), [
      { line: 1, kind: "not-on-declaration" },
    ]);
    assert.deepEqual(check("function f(): void {\n  /** Why. */\n  if (Math.random()) return;\n}\n"), [
      { line: 2, kind: "not-on-declaration" },
    ]);
    assert.deepEqual(check("export const y = 1;\n/** Left at the end. */\n"), [
      { line: 2, kind: "not-on-declaration" },
    ]);
    assert.deepEqual(check("/** Meant for another. */\n/** Mine. */\nexport const y = 1;\n"), [
      { line: 1, kind: "not-on-declaration" },
    ]);
    assert.deepEqual(check("/** Mine? */\n// A note.\n\nexport const y = 1;\n"), [{ line: 1, kind: "detached" }]);
  });

  test("a doc comment citing a name declared nowhere is reported; one declared in the file or elsewhere is not", () => {
    assert.deepEqual(check("/** Calls `renamedAway()`. */\nexport const y = 1;\n"), [
      { line: 1, kind: "unknown-name" },
    ]);
    assert.deepEqual(check("/** Calls renamedAway(). */\nexport const y = 1;\n", ["renamedAway"]), []);
    assert.deepEqual(
      check("/** Like {@link Gone}, not {@link y} or `yValue`. */\nexport const y = 1;\nconst yValue = y;\n"),
      [{ line: 1, kind: "unknown-name" }],
    );
  });

  test("a comment, plain or doc, naming a source file that no longer exists is reported", () => {
    assert.deepEqual(
      check("// Written as leaf-signer.ts does, and `cli/noun.js`.\nexport const y = 1;\n", [], ["planted.ts"]),
      [{ line: 1, kind: "unknown-file" }],
    );
    assert.deepEqual(
      check("/* As leaf-signer.ts and cli/noun.js do. */\nexport const y = 1;\n", [], ["leaf-signer.ts", "noun.ts"]),
      [],
    );
  });

  test("cited names are calls, links and backticked camelCase words, not bare words or file names", () => {
    assert.deepEqual(
      citedNames("/** See `ruleMaskedNetwork`, `parseHba()`, {@link Foo}, `all`, ClientAuthentication. */").sort(),
      ["Foo", "parseHba", "ruleMaskedNetwork"],
    );
    assert.deepEqual(citedNames("/** Written by `leaf-signer.ts` and certificateDer. */"), []);
  });
});

test("every doc comment in src/, test/ and bench/ sits on a declaration and cites names and files that exist", () => {
  const problems = checkProject(
    join(ROOT, "tsconfig.json"),
    (fileName) => {
      const path = relative(ROOT, fileName);
      return !path.startsWith("..") && !path.split(sep).includes("node_modules");
    },
    repositoryFiles(),
  );
  const report = problems.map(
    (problem) => `${relative(ROOT, problem.file)}:${problem.line}: ${problem.kind}: ${problem.detail}`,
  );
  assert.deepEqual(report, []);
});

test("no file cites a document outside the repository (the design notes beside it, a reference copy)", () => {
  // Built from pieces so that this file does not match itself.
  const outside = new RegExp(
    ["\\.\\./" + "shared", "DESIGN" + "\\.md", "STYLE" + "\\.md", "FIELD-" + "NOTES", "/wo" + "rk/"].join("|"),
  );
  const files = execFileSync("git", ["ls-files", "src", "test", "bench", "scripts", "README.md"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((file) => file !== "");
  const citing = files.filter((file) => outside.test(readFileSync(join(ROOT, file), "utf8")));
  assert.deepEqual(citing, []);
});
