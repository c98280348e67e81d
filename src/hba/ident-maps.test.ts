import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../core/errors.js";
import { readIdentMapNames } from "./ident-maps.js";
import type { FileAccess } from "./parse/records.js";

function memory(files: Record<string, string>): FileAccess {
  return {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) return Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" }));
      return Promise.resolve(text);
    },
    readDir: () => Promise.resolve([]),
  };
}

test("map names come from every record, included files too; comments and bad records define nothing", async () => {
  const files = memory({
    "/etc/pg/pg_ident.conf": [
      "# MAPNAME SYSTEM-USERNAME PG-USERNAME",
      "omicron  bryanh  bryanh",
      'omicron  "ann x" ann   # a quoted system user',
      '"two words" /^(.*)@example\\.com$ \\1',
      "include maps.conf",
      "half_a_record alice",
      "",
    ].join("\n"),
    "/etc/pg/maps.conf": "certmap  CN=app  app\n",
  });
  assert.deepEqual(await readIdentMapNames("/etc/pg/pg_ident.conf", files), ["omicron", "two words", "certmap"]);
});

test("a missing ident file is not found (exit 4)", async () => {
  await assert.rejects(
    readIdentMapNames("/nope/pg_ident.conf", memory({})),
    (error: unknown) =>
      error instanceof PgwardenError && error.exitCode === 4 && /pg_ident\.conf does not exist/.test(error.message),
  );
});
