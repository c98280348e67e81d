import assert from "node:assert/strict";
import { test } from "node:test";

import { jsonErrorLine, jsonText, octalMode } from "./output.js";

test("a key named mode holding a number is written as an octal string, at any depth; other numbers stay numbers", () => {
  const doc: unknown = JSON.parse(
    jsonText({
      files: [{ path: "k", mode: 0o600 }],
      plan: { files: [{ mode: 0o100644 }] },
      port: 5432,
      mode: "verify-full",
    }),
  );
  assert.deepEqual(doc, {
    files: [{ path: "k", mode: "0600" }],
    plan: { files: [{ mode: "0644" }] },
    port: 5432,
    mode: "verify-full",
  });
  assert.equal(octalMode(0o4755), "4755");
});

test("the error line is one JSON object on one line with code, message and exit code; unsafe characters escaped", () => {
  const line = jsonErrorLine("pki-missing", "no CA in \u202eX", 4);
  assert.ok(line.endsWith("}\n") && !line.slice(0, -1).includes("\n"));
  assert.doesNotMatch(line, /\u202e/);
  assert.deepEqual(JSON.parse(line), { error: { code: "pki-missing", message: "no CA in \u202eX", exitCode: 4 } });
});
