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

test("a --conn port out of range is a usage error naming the port, from the URL, its port parameter or PGPORT", () => {
  const badPort = (port: string) => (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && error.message.includes(`port ${port} is not a TCP port`);
  assert.throws(() => checkConn("postgresql://postgres@127.0.0.1:99999/postgres"), badPort("99999"));
  assert.throws(() => checkConn("postgresql://postgres@127.0.0.1/postgres?port=0"), badPort("0"));
  assert.throws(() => checkConn("postgresql://postgres@127.0.0.1/postgres?port=http"), badPort("http"));
  const saved = process.env.PGPORT;
  process.env.PGPORT = "70000";
  try {
    assert.throws(() => checkConn("postgresql://postgres@127.0.0.1/postgres"), (error: unknown) => error instanceof PgwardenError && /port 70000 \(from PGPORT\) is not a TCP port/.test(error.message));
  } finally {
    if (saved === undefined) delete process.env.PGPORT;
    else process.env.PGPORT = saved;
  }
  assert.doesNotThrow(() => checkConn("postgresql://postgres@127.0.0.1:65535/postgres"));
  assert.doesNotThrow(() => checkConn("postgresql://postgres@/postgres?host=/var/run/postgresql"), "node-postgres's user@/db form");
});

test("a --conn that does not parse is a usage error that does not echo it (it may hold a password)", () => {
  assert.throws(
    () => checkConn("postgresql://postgres:hunter2@exa mple:5432/db"),
    (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && /not a valid URL/.test(error.message) && !error.message.includes("hunter2"),
  );
});

test("a --conn naming a missing sslrootcert, sslcert or sslkey is not found (exit 4), a directory there is a usage error", () => {
  for (const name of ["sslrootcert", "sslcert", "sslkey"]) {
    assert.throws(
      () => checkConn(`postgresql://postgres@127.0.0.1/postgres?sslmode=verify-full&${name}=/nonexistent/${name}.pem`),
      (error: unknown) => error instanceof PgwardenError && error.exitCode === 4 && error.message === `--conn names ${name}=/nonexistent/${name}.pem, which does not exist: give the path of the file`,
    );
  }
  assert.throws(() => checkConn("postgresql://postgres@127.0.0.1/postgres?sslrootcert=/tmp"), (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && /which is a directory/.test(error.message));
  assert.throws(() => checkConn("postgresql://postgres@127.0.0.1/postgres?sslkey=/tmp/a%00b"), (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && /NUL byte/.test(error.message));
});
