import assert from "node:assert/strict";
import { test } from "node:test";
import { PgwardenError } from "../errors.js";
import { assertNoPasswordInConn, connectConn } from "./conn-url.js";

const refused = (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && /must not contain a password/.test(error.message);

test("a --conn that names a user is fine; one that carries a password is refused", () => {
  for (const ok of ["postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://127.0.0.1/db?sslmode=verify-full", "host=127.0.0.1 user=postgres", "/var/run/postgresql"]) {
    assert.doesNotThrow(() => assertNoPasswordInConn(ok), ok);
  }
  for (const bad of ["postgresql://postgres:secret@127.0.0.1/postgres", "postgresql://postgres@127.0.0.1/postgres?password=secret", "host=127.0.0.1 password=secret", "host=x PASSWORD = secret"]) {
    assert.throws(() => assertNoPasswordInConn(bad), refused, bad);
  }
});

test("connectConn refuses before connecting (nothing listens on port 1, so a connection attempt would fail differently)", async () => {
  await assert.rejects(connectConn("postgresql://postgres:secret@127.0.0.1:1/postgres"), refused);
});
