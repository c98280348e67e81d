import assert from "node:assert/strict";
import { test } from "node:test";

import { escapeHtml, markup, trusted } from "./html-markup.js";

test("every string put into markup is escaped, in content and in attributes; markup from markup goes in as it is", () => {
  const name = `a"b'c<d>&e`;
  assert.equal(
    markup`<p title="${name}">${name}</p>`.text,
    `<p title="a&quot;b&#39;c&lt;d&gt;&amp;e">a&quot;b&#39;c&lt;d&gt;&amp;e</p>`,
  );
  assert.equal(
    markup`<ul>${["x<", "y"].map((item) => markup`<li>${item}</li>`)}</ul>`.text,
    "<ul><li>x&lt;</li><li>y</li></ul>",
  );
  assert.equal(markup`${3}|${undefined}|${false}|${trusted("<b>")}`.text, "3|||<b>");
});

test("control and bidirectional characters are shown as escapes, other characters stay", () => {
  assert.equal(escapeHtml("\u001b[2J\u202Eé日本\n"), "\\x1b[2J\\u{202E}é日本\\n");
});
