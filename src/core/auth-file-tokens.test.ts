import assert from "node:assert/strict";
import { test } from "node:test";

import { listFileOf, logicalLines, tokenizeFields } from "./auth-file-tokens.js";

const values = (text: string) =>
  tokenizeFields(text).map((field) => field.map((token) => (token.quoted ? `"${token.value}"` : token.value)));

test("fields are split by blanks, tokens by commas; blank and comment lines have no fields", () => {
  assert.deepEqual(values("host  db1,db2\tall 10.0.0.0/8 md5"), [
    ["host"],
    ["db1", "db2"],
    ["all"],
    ["10.0.0.0/8"],
    ["md5"],
  ]);
  assert.deepEqual(values(""), []);
  assert.deepEqual(values("   \t  "), []);
  assert.deepEqual(values("# local all all trust"), []);
  assert.deepEqual(values('local all all peer # trailing, "comment"'), [["local"], ["all"], ["all"], ["peer"]]);
  assert.deepEqual(values("local all all peer#no space needed"), [["local"], ["all"], ["all"], ["peer"]]);
});

test("a comma ends a token but not the field; a blank before the comma starts a new field (as in hba.c)", () => {
  assert.deepEqual(values("a, b c"), [["a", "b"], ["c"]]);
  assert.deepEqual(values("a,,b"), [["a", "b"]]);
  assert.deepEqual(values("a ,b"), [["a"], ["b"]]);
  assert.deepEqual(values("a, "), [["a"]]);
});

test('double quotes: removed, flagged, keep blanks, commas and # inside; "" is a literal quote', () => {
  assert.deepEqual(values('"my db","a,b" "x # y"'), [['"my db"', '"a,b"'], ['"x # y"']]);
  assert.deepEqual(values('"say ""hi"""'), [['"say "hi""']]);
  assert.deepEqual(values('""'), [['""']], "an empty quoted token is still a token");
  const [[quotedAll]] = tokenizeFields('"all"') as [[{ value: string; quoted: boolean }]];
  assert.deepEqual(quotedAll, { value: "all", quoted: true });
});

test('quoted means quoted from the first character (initial_quote): @"file name" is still a file list', () => {
  const [[midQuote]] = tokenizeFields('ab"c d"') as [[{ value: string; quoted: boolean }]];
  assert.deepEqual(midQuote, { value: "abc d", quoted: false });
  const [[file]] = tokenizeFields('@"my users.txt"') as [[{ value: string; quoted: boolean }]];
  assert.equal(listFileOf(file), "my users.txt");
  const [[notFile]] = tokenizeFields('"@users"') as [[{ value: string; quoted: boolean }]];
  assert.equal(listFileOf(notFile), undefined);
  const [[bareAt]] = tokenizeFields("@") as [[{ value: string; quoted: boolean }]];
  assert.equal(listFileOf(bareAt), undefined, "a lone @ names no file");
});

test("an unterminated quote runs to the end of the line, as PostgreSQL reads it", () => {
  const [, [open]] = tokenizeFields('local "all all peer') as [unknown, [{ value: string; quoted: boolean }]];
  assert.deepEqual(open, { value: "all all peer", quoted: true });
});

test("backslash continuation joins lines and keeps the first line's number", () => {
  const lines = logicalLines("local all all peer\nhost all \\\n  all \\\n  10.0.0.0/8 md5\n\nhost x y z w\n");
  assert.deepEqual(lines, [
    { line: 1, text: "local all all peer" },
    { line: 2, text: "host all   all   10.0.0.0/8 md5" },
    { line: 5, text: "" },
    { line: 6, text: "host x y z w" },
  ]);
  assert.deepEqual(values(lines[1]?.text ?? ""), [["host"], ["all"], ["all"], ["10.0.0.0/8"], ["md5"]]);
});

test("continuation inside a comment or quotes continues them; CRLF line ends are fine", () => {
  assert.deepEqual(logicalLines("# comment \\\nhost all all all trust\r\nlocal all all peer\r\n"), [
    { line: 1, text: "# comment host all all all trust" },
    { line: 3, text: "local all all peer" },
  ]);
  assert.deepEqual(values(logicalLines('local "a\\\nb" all peer')[0]?.text ?? ""), [
    ["local"],
    ['"ab"'],
    ["all"],
    ["peer"],
  ]);
});

test("a backslash at the end of the file is dropped; a doubled one continues only once", () => {
  assert.deepEqual(logicalLines("local all all peer \\"), [{ line: 1, text: "local all all peer " }]);
  assert.deepEqual(logicalLines("a\\\\\n\nb"), [
    { line: 1, text: "a\\" },
    { line: 3, text: "b" },
  ]);
});
