import assert from "node:assert/strict";
import { test } from "node:test";

import { fileRefusal } from "./file-verdict.js";

test("fileRefusal: rows PostgreSQL 15 shows for files a reload refuses", () => {
  assert.deepEqual(fileRefusal([], "/pg/data/pg_hba.conf"), {
    message: 'configuration file "/pg/data/pg_hba.conf" contains no entries',
    more: 0,
  });
  const silent = fileRefusal(
    [
      { line: 1, type: "local", error: null },
      { line: 2, type: null, error: null },
    ],
    "f",
  );
  assert.equal(silent?.line, 2);
  assert.match(silent?.message ?? "", /gives pg_hba_file_rules no reason/);
  assert.equal(silent?.silent, true);
  assert.deepEqual(
    fileRefusal(
      [
        { line: 1, type: null, error: 'invalid authentication method "foo"' },
        { line: 3, type: null, error: null },
      ],
      "f",
    ),
    {
      line: 1,
      message: 'invalid authentication method "foo"',
      more: 1,
    },
  );
  assert.equal(fileRefusal([{ line: 1, type: "local", error: null }], "f"), undefined);
});
