import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { Command } from "commander";

import { PgwardenError } from "../core/errors.js";
import { initCa } from "../pki/authority/ca-init.js";
import { rotateCa } from "../pki/authority/ca-rotate.js";
import { pkiLayout } from "../pki/pki-layout.js";
import { candidateRoots, checkConn, connOption } from "./conn-url.js";

const refused = (error: unknown) =>
  error instanceof PgwardenError && error.exitCode === 2 && /must not contain a password/.test(error.message);

test("a --conn that names a user is fine, as a URL or as keyword=value pairs; one that carries a password is refused in both forms", () => {
  for (const ok of [
    "postgresql://postgres@127.0.0.1:5432/postgres",
    "postgresql://127.0.0.1/db?sslmode=verify-full",
    "/var/run/postgresql",
    "host=127.0.0.1 user=postgres",
    "host = 127.0.0.1 dbname='my db'",
  ]) {
    assert.doesNotThrow(() => checkConn(ok), ok);
  }
  for (const bad of [
    "postgresql://postgres:secret@127.0.0.1/postgres",
    "postgresql://postgres@127.0.0.1/postgres?password=secret",
    "host=127.0.0.1 password=secret",
    "host=127.0.0.1 password='se cret'",
  ]) {
    assert.throws(() => checkConn(bad), refused, bad);
  }
});

test("a --conn with a keyword libpq does not know, or a value libpq refuses, is a usage error naming it (node-postgres ignored both)", () => {
  const usage = (pattern: RegExp) => (error: unknown) =>
    error instanceof PgwardenError && error.exitCode === 2 && pattern.test(error.message);
  assert.throws(
    () => checkConn("host=127.0.0.1 sslmod=require"),
    usage(/invalid connection option "sslmod": did you mean sslmode\?/),
  );
  assert.throws(
    () => checkConn("postgresql://127.0.0.1/db?sslmod=require"),
    usage(/invalid connection option "sslmod": did you mean sslmode\?/),
  );
  assert.throws(
    () => checkConn("host=127.0.0.1 sslmode=bogus"),
    usage(/--conn: invalid sslmode value "bogus": give one of disable, allow, prefer, require, verify-ca, verify-full/),
  );
  assert.throws(() => checkConn("host=127.0.0.1 frobnicate=1"), usage(/invalid connection option "frobnicate"/));
  assert.throws(() => checkConn("host=127.0.0.1 hostaddr=10.0.0.1"), usage(/hostaddr=10\.0\.0\.1 is not supported/));
  assert.throws(() => checkConn("host=a,b"), usage(/lists several hosts/));
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
  const error = await command.parseAsync(["node", "probe", "--conn", value]).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  return { error, ran };
}

test("--conn with a password is refused while argv is parsed: the command never runs, nothing connects (nothing listens on port 1)", async () => {
  const { error, ran } = await parseConn("postgresql://postgres:secret@127.0.0.1:1/postgres");
  assert.ok(refused(error), String(error));
  assert.equal(ran, false);
  assert.equal(
    (await parseConn("postgresql://postgres@127.0.0.1:1/postgres")).ran,
    true,
    "a good --conn reaches the command",
  );
});

test("a --conn that is neither a URL nor keyword=value pairs is a usage error, not a DNS lookup of a made-up host", async () => {
  for (const bad of ["not a url", "host 127.0.0.1"]) {
    const { error, ran } = await parseConn(bad);
    assert.ok(
      error instanceof PgwardenError &&
        error.exitCode === 2 &&
        /is not a connection string: give a URL \(postgresql:\/\/.*\) or keyword=value pairs/.test(error.message),
      `${bad}: ${String(error)}`,
    );
    assert.equal(ran, false);
  }
  const { error, ran } = await parseConn("host=127.0.0.1 port=1 user");
  assert.ok(
    error instanceof PgwardenError && error.exitCode === 2 && /missing "=" after "user"/.test(error.message),
    String(error),
  );
  assert.equal(ran, false);
});

test("a --conn port out of range is a usage error naming the port, from the URL, its port parameter or PGPORT", () => {
  const badPort = (port: string) => (error: unknown) =>
    error instanceof PgwardenError &&
    error.exitCode === 2 &&
    error.message.includes(`invalid port number "${port}": give a TCP port from 1 to 65535`);
  assert.throws(() => checkConn("postgresql://postgres@127.0.0.1:99999/postgres"), badPort("99999"));
  assert.throws(() => checkConn("postgresql://postgres@127.0.0.1/postgres?port=0"), badPort("0"));
  assert.throws(() => checkConn("port=70000"), badPort("70000"));
  assert.throws(
    () => checkConn("postgresql://postgres@127.0.0.1/postgres?port=http"),
    (error: unknown) =>
      error instanceof PgwardenError && /invalid integer value "http" for connection option "port"/.test(error.message),
  );
  const saved = process.env.PGPORT;
  process.env.PGPORT = "70000";
  try {
    assert.throws(
      () => checkConn("postgresql://postgres@127.0.0.1/postgres"),
      (error: unknown) => error instanceof PgwardenError && /^PGPORT: invalid port number "70000"/.test(error.message),
    );
  } finally {
    if (saved === undefined) delete process.env.PGPORT;
    else process.env.PGPORT = saved;
  }
  assert.doesNotThrow(() => checkConn("postgresql://postgres@127.0.0.1:65535/postgres"));
  assert.doesNotThrow(
    () => checkConn("postgresql://postgres@/postgres?host=/var/run/postgresql"),
    "node-postgres's user@/db form",
  );
});

test("a --conn that does not parse is a usage error that does not echo it (it may hold a password)", () => {
  for (const bad of [
    "postgresql://postgres:hunter2@host/db?x%zz=1",
    "postgresql://postgres:hunter2@[::1/db",
    "host=x password='hunter2",
  ]) {
    assert.throws(
      () => checkConn(bad),
      (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && !error.message.includes("hunter2"),
      bad,
    );
  }
});

test("a --conn naming a missing sslrootcert, sslcert, sslkey or sslcrl is taken as libpq takes it (it reads them when TLS starts); a NUL byte is refused", () => {
  for (const name of ["sslrootcert", "sslcert", "sslkey", "sslcrl"]) {
    assert.doesNotThrow(
      () => checkConn(`postgresql://postgres@127.0.0.1/postgres?sslmode=verify-full&${name}=/nonexistent/${name}.pem`),
      name,
    );
  }
  assert.doesNotThrow(() => checkConn("postgresql://postgres@127.0.0.1/postgres?sslrootcert=/tmp"));
  assert.throws(
    () => checkConn("postgresql://postgres@127.0.0.1/postgres?sslkey=/tmp/a%00b"),
    (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && /NUL byte/.test(error.message),
  );
});

test("the sslrootcert the conninfo hint names: ca/ca.crt, and ca/roots.crt first once a CA rotation made it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-candidates-"));
  try {
    const layout = pkiLayout(join(dir, "pki"));
    await initCa(layout);
    assert.deepEqual(candidateRoots(layout.root), [layout.caCert]);
    await rotateCa(layout);
    assert.deepEqual(candidateRoots(layout.root), [join(layout.caDir, "roots.crt"), layout.caCert]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
