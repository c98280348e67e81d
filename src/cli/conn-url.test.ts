import assert from "node:assert/strict";
import { test } from "node:test";
import { PgwardenError } from "../errors.js";
import { checkConn, connectConn } from "./conn-url.js";

const refused = (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && /must not contain a password/.test(error.message);

test("a --conn that names a user is fine; one that carries a password is refused", () => {
  for (const ok of ["postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://127.0.0.1/db?sslmode=verify-full", "/var/run/postgresql"]) {
    assert.doesNotThrow(() => checkConn(ok), ok);
  }
  for (const bad of ["postgresql://postgres:secret@127.0.0.1/postgres", "postgresql://postgres@127.0.0.1/postgres?password=secret"]) {
    assert.throws(() => checkConn(bad), refused, bad);
  }
  // keyword=value strings, with a password or not, are refused as no URL (exit 2), before anything else.
  for (const bad of ["host=127.0.0.1 user=postgres", "host=127.0.0.1 password=secret"]) {
    assert.throws(() => checkConn(bad), (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && /is not a connection URL/.test(error.message), bad);
  }
});

test("connectConn refuses before connecting (nothing listens on port 1, so a connection attempt would fail differently)", async () => {
  await assert.rejects(connectConn("postgresql://postgres:secret@127.0.0.1:1/postgres"), refused);
});

test("a --conn that is no URL is a usage error, not a DNS lookup of a made-up host", async () => {
  // node-postgres would read "host=... " as a database name on a host called "base".
  for (const bad of ["not a url", "host=127.0.0.1 port=1 user=postgres"]) {
    await assert.rejects(connectConn(bad), (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && /is not a connection URL: give postgresql:\/\//.test(error.message), bad);
  }
});
