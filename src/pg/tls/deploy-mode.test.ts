import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { tlsDeployMode } from "./deploy-mode.js";

test("pg tls runs the one mode given: --pgdata, --conn or --print", () => {
  assert.equal(tlsDeployMode({ pgdata: "./data" }), "pgdata");
  assert.equal(tlsDeployMode({ conn: "postgresql://postgres@127.0.0.1/postgres" }), "conn");
  assert.equal(tlsDeployMode({ print: "etcd" }), "print");
  // An empty value is still a mode given (the flag was there).
  assert.equal(tlsDeployMode({ pgdata: "" }), "pgdata");
});

test("pg tls without a mode, or with two, is a usage error (exit 2) naming the three", () => {
  for (const request of [
    {},
    { pgdata: "d", conn: "c" },
    { pgdata: "d", print: "etcd" },
    { pgdata: "d", conn: "c", print: "p" },
  ]) {
    assert.throws(
      () => tlsDeployMode(request),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.exitCode === 2 &&
        error.code === "pg-tls-mode" &&
        /--pgdata DIR.*--conn URL.*--print/.test(error.message),
      JSON.stringify(request),
    );
  }
});
