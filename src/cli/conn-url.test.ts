import assert from "node:assert/strict";
import { test } from "node:test";
import { Command } from "commander";
import { PgwardenError } from "../errors.js";
import { checkConn, connOption } from "./conn-url.js";

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

/** Parses `--conn value` through {@link connOption}; `ran` says whether the command's action was reached. */
async function parseConn(value: string): Promise<{ error: unknown; ran: boolean }> {
  let ran = false;
  const command = new Command("probe")
    .exitOverride()
    .addOption(connOption("where"))
    .action(() => {
      ran = true;
    });
  const error = await command.parseAsync(["node", "probe", "--conn", value]).then(() => undefined, (failure: unknown) => failure);
  return { error, ran };
}

test("--conn with a password is refused while argv is parsed: the command never runs, nothing connects (nothing listens on port 1)", async () => {
  const { error, ran } = await parseConn("postgresql://postgres:secret@127.0.0.1:1/postgres");
  assert.ok(refused(error), String(error));
  assert.equal(ran, false);
  assert.equal((await parseConn("postgresql://postgres@127.0.0.1:1/postgres")).ran, true, "a good --conn reaches the command");
});

test("a --conn that is no URL is a usage error, not a DNS lookup of a made-up host", async () => {
  // node-postgres would read "host=... " as a database name on a host called "base".
  for (const bad of ["not a url", "host=127.0.0.1 port=1 user=postgres"]) {
    const { error, ran } = await parseConn(bad);
    assert.ok(error instanceof PgwardenError && error.exitCode === 2 && /is not a connection URL: give postgresql:\/\//.test(error.message), `${bad}: ${String(error)}`);
    assert.equal(ran, false);
  }
});
