import assert from "node:assert/strict";
import { test } from "node:test";

import { connReloads, type PgdataReload, pgdataReload } from "./reload-policy.js";

test("pg tls --pgdata reloads only with --reload: always when the plan changed, else only when what is installed is not served", () => {
  const table: { reloadAsked: boolean; planChanged: boolean; want: PgdataReload }[] = [
    { reloadAsked: false, planChanged: false, want: "no-reload" },
    // Without --reload a changed plan waits for the person's own reload.
    { reloadAsked: false, planChanged: true, want: "no-reload" },
    { reloadAsked: true, planChanged: true, want: "reload" },
    // Nothing to write, but an earlier reload may have failed: look at what is served first.
    { reloadAsked: true, planChanged: false, want: "if-stale" },
  ];
  for (const row of table) assert.equal(pgdataReload(row.reloadAsked, row.planChanged), row.want, JSON.stringify(row));
});

test("pg tls --conn reloads whenever a file or an ALTER SYSTEM setting changed, and only then", () => {
  assert.equal(connReloads(false, []), false);
  assert.equal(connReloads(true, []), true);
  assert.equal(connReloads(false, ["ssl"]), true);
  assert.equal(connReloads(true, ["ssl", "ssl_cert_file"]), true);
});
