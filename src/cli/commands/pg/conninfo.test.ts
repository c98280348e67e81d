import assert from "node:assert/strict";
import { test } from "node:test";

import { settingsLine } from "./conninfo.js";

test("pg conninfo's settings line names each keyword's value and origin on one line, quoting as libpq's keyword=value form does", () => {
  const settings = new Map([
    ["host", { value: "127.0.0.1", origin: "PGHOST" }],
    ["sslmode", { value: "require", origin: "--conn" }],
    ["application_name", { value: "my app's", origin: "service warden (/home/u/.pg_service.conf:3)" }],
  ]);
  assert.equal(
    settingsLine(settings),
    "Settings: host=127.0.0.1 (PGHOST), sslmode=require (--conn), application_name='my app\\'s' (service warden (/home/u/.pg_service.conf:3)); the rest libpq's defaults.",
  );
  assert.equal(settingsLine(new Map()), "Settings: all libpq's defaults.");
});
