import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { validateRoleName } from "../role-name.js";
import { validateCommonName } from "./common-name.js";

const usage = (pattern: RegExp) => (error: unknown) =>
  error instanceof PgwardenError && error.exitCode === 2 && pattern.test(error.message);

test("common names that are safe as file names and role names pass", () => {
  for (const cn of ["dbuser_dba", "pg-meta-1", "db1.example.com", "app@corp", "_internal", "A1"])
    assert.equal(validateCommonName(cn), cn);
});

test("empty, over-long and dangerous common names are refused with the reason", () => {
  assert.throws(() => validateCommonName(""), usage(/empty/));
  assert.throws(() => validateCommonName("a".repeat(65)), usage(/65 characters.*at most 64/));
  assert.equal(validateCommonName("a".repeat(64)), "a".repeat(64));
  assert.throws(() => validateCommonName("x\ny"), usage(/newline/));
  assert.throws(() => validateCommonName("x\0y"), usage(/NUL/));
  assert.throws(() => validateCommonName("x'y"), usage(/quote/));
  assert.throws(() => validateCommonName("x/y"), usage(/slash/));
  assert.throws(() => validateCommonName("x\\y"), usage(/slash/));
  assert.throws(() => validateCommonName("a..b"), usage(/"\.\."/));
  assert.throws(() => validateCommonName(".hidden"), usage(/characters pgwarden does not accept/));
  assert.throws(() => validateCommonName("*.example.com"), usage(/wildcards belong in --san/));
});

test("client CNs must be role names PostgreSQL accepts untruncated", () => {
  assert.equal(validateRoleName("dbuser_monitor"), "dbuser_monitor");
  assert.throws(() => validateRoleName("pg_monitor"), usage(/reserves/));
  assert.throws(() => validateRoleName("public"), usage(/PostgreSQL refuses it/));
  assert.throws(
    () => validateRoleName("é".repeat(32)),
    usage(/characters pgwarden does not accept|longer than 63 bytes/),
  );
  assert.throws(() => validateRoleName("a".repeat(64)), usage(/at most 64|longer than 63 bytes/));
  assert.equal(validateRoleName("a".repeat(63)), "a".repeat(63));
});
