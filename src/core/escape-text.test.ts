import assert from "node:assert/strict";
import { test } from "node:test";

import { escapeJson, escapeText } from "./escape-text.js";

test("control characters, DEL, C1 and bidirectional overrides are shown as escapes", () => {
  assert.equal(escapeText("a\nb\rc\td"), "a\\nb\\rc\\td");
  assert.equal(escapeText("\x1b[2Jcleared"), "\\x1b[2Jcleared");
  assert.equal(escapeText("nul\0del\x7fc1\x85"), "nul\\x00del\\x7fc1\\x85");
  assert.equal(escapeText("user\u202Egpj.exe"), "user\\u{202E}gpj.exe");
  for (const mark of [
    "\u061C",
    "\u200E",
    "\u200F",
    "\u202A",
    "\u202B",
    "\u202C",
    "\u202D",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
  ]) {
    assert.match(escapeText(mark), /^\\u\{[0-9A-F]{3,4}\}$/, `U+${mark.codePointAt(0)?.toString(16)}`);
  }
});

test("legitimate non-ASCII names stay as they are", () => {
  for (const name of ["José", "日本語", "Ελληνικά", "עברית", "emoji 🐘", "naïve café"])
    assert.equal(escapeText(name), name);
});

test("data keeps the characters it asks to keep (line breaks, tabs)", () => {
  assert.equal(escapeText("line 1\tx\nline 2\u202E\n", "\n\t"), "line 1\tx\nline 2\\u{202E}\n");
});

test("escaped JSON is still the same JSON value, with nothing unsafe left raw", () => {
  const value = { cn: "a\u202Eb\x7f\x85", note: "line\nbreak", name: "日本" };
  const escaped = escapeJson(JSON.stringify(value));
  assert.deepEqual(JSON.parse(escaped), value);
  assert.doesNotMatch(escaped, /[\u0000-\u001f\u007f-\u009f\u202e]/);
  assert.match(escaped, /日本/);
  // Pretty-printed JSON keeps its own line breaks and indentation.
  const pretty = escapeJson(JSON.stringify(value, null, 2));
  assert.deepEqual(JSON.parse(pretty), value);
  assert.equal(pretty.split("\n").length, 5);
});
