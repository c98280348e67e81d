import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import { lintContextOf } from "./context-precedence.js";

const dir = mkdtempSync(join(tmpdir(), "pgwarden-lint-context-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const identFile = join(dir, "pg_ident.conf");
writeFileSync(identFile, "given_map  alice  app\n");

test("lint's context: defaults, then what the source learned, then what the person gives, key by key", async () => {
  const learned = { superusers: ["dbsu"], ssl: false, identMaps: ["server_map"], superuserMemberOf: { dbsu: [] } };
  // Nothing learned, nothing given: postgres is the superuser, ssl and maps unknown.
  assert.deepEqual(await lintContextOf({}, {}), { superusers: ["postgres"] });
  // The source's word when the person says nothing.
  assert.deepEqual(await lintContextOf(learned, {}), learned);
  // The person's word over the source's, for each key given; the rest stays the source's.
  assert.deepEqual(await lintContextOf(learned, { superusers: ["root"], ssl: true }), {
    ...learned,
    superusers: ["root"],
    ssl: true,
  });
  assert.deepEqual((await lintContextOf(learned, { identFile })).identMaps, ["given_map"]);
  // --server-ssl off is an answer, not an absence.
  assert.equal((await lintContextOf({ ssl: true }, { ssl: false })).ssl, false);
});
