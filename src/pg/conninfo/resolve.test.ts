import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { DEFAULT_SOCKET_DIRECTORY, resolveConnection } from "./resolve.js";

function withHome(check: (home: string) => void): void {
  const home = mkdtempSync(join(tmpdir(), "home-"));
  try {
    check(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const usage = (pattern: RegExp) => (error: unknown) =>
  error instanceof PgwardenError && error.exitCode === 2 && pattern.test(error.message);

test("nothing given: libpq's defaults (Debian's socket directory, 5432, the OS user, dbname = user, sslmode prefer, files under ~/.postgresql)", () => {
  withHome((home) => {
    const resolved = resolveConnection(undefined, { env: { HOME: home, PGSYSCONFDIR: home }, source: "--conn" });
    const user = userInfo().username;
    assert.deepEqual(
      {
        host: resolved.host,
        socket: resolved.socket,
        port: resolved.port,
        user: resolved.user,
        dbname: resolved.dbname,
        sslmode: resolved.sslmode,
      },
      { host: DEFAULT_SOCKET_DIRECTORY, socket: true, port: 5432, user, dbname: user, sslmode: "prefer" },
    );
    assert.equal(resolved.sslrootcert.path, join(home, ".postgresql", "root.crt"));
    assert.equal(resolved.sslkey.path, join(home, ".postgresql", "postgresql.key"));
    assert.equal(resolved.sslrootcert.namedBy, undefined);
  });
});

test("libpq's precedence: the string, then the service, then PG* variables, then defaults", () => {
  withHome((home) => {
    writeFileSync(join(home, ".pg_service.conf"), "[svc]\nhost=from-service\nport=5440\ndbname=svcdb\n");
    const env = {
      HOME: home,
      PGSYSCONFDIR: home,
      PGHOST: "from-env",
      PGPORT: "5441",
      PGUSER: "envuser",
      PGDATABASE: "envdb",
      PGSSLMODE: "require",
    };
    const resolved = resolveConnection("service=svc dbname=strdb", { env, source: "--conn" });
    assert.deepEqual(
      [resolved.host, resolved.port, resolved.user, resolved.dbname, resolved.sslmode],
      ["from-service", 5440, "envuser", "strdb", "require"],
    );
    assert.equal(resolved.origins.get("port"), `service svc (${join(home, ".pg_service.conf")}:3)`);
    assert.equal(resolved.origins.get("user"), "PGUSER");
    const viaEnv = resolveConnection(undefined, { env: { ...env, PGSERVICE: "svc" }, source: "--conn" });
    assert.equal(viaEnv.host, "from-service", "PGSERVICE picks the service too");
  });
});

test("values are checked once settled, naming where they came from: a bad PGSSLMODE, an unsupported keyword from the environment", () => {
  withHome((home) => {
    assert.throws(
      () => resolveConnection("host=x", { env: { HOME: home, PGSSLMODE: "bogus" }, source: "--conn" }),
      usage(/^PGSSLMODE: invalid sslmode value "bogus"/),
    );
    assert.throws(
      () => resolveConnection("host=x", { env: { HOME: home, PGGSSENCMODE: "require" }, source: "--conn" }),
      usage(/^PGGSSENCMODE: gssencmode=require is not supported/),
    );
    assert.doesNotThrow(
      () => resolveConnection("host=x gssencmode=prefer sslcompression=0", { env: { HOME: home }, source: "--conn" }),
      "values that ask for what pgwarden does anyway",
    );
    assert.throws(
      () =>
        resolveConnection("host=x ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2", {
          env: { HOME: home },
          source: "--conn",
        }),
      usage(/invalid SSL protocol version range/),
    );
    assert.throws(
      () => resolveConnection("host=x connect_timeout=soon", { env: { HOME: home }, source: "--conn" }),
      usage(/invalid integer value "soon" for connection option "connect_timeout"/),
    );
  });
});

test("the password: never from the string; PGPASSWORD before the passfile; the passfile matched for the settled host, port, database and user", () => {
  withHome((home) => {
    const passfile = join(home, ".pgpass");
    writeFileSync(passfile, "db1:5432:app:alice:from-file\n");
    chmodSync(passfile, 0o600);
    assert.throws(
      () => resolveConnection("host=db1 password=x", { env: { HOME: home }, source: "--conn" }),
      (error: unknown) => error instanceof PgwardenError && /must not contain a password/.test(error.message),
    );
    const fromFile = resolveConnection("host=db1 dbname=app user=alice", { env: { HOME: home }, source: "--conn" });
    assert.deepEqual([fromFile.password, fromFile.passwordFrom], ["from-file", `passfile ${passfile}`]);
    const fromEnv = resolveConnection("host=db1 dbname=app user=alice", {
      env: { HOME: home, PGPASSWORD: "from-env" },
      source: "--conn",
    });
    assert.deepEqual([fromEnv.password, fromEnv.passwordFrom], ["from-env", "PGPASSWORD"]);
    assert.equal(
      resolveConnection("host=db2 dbname=app user=alice", { env: { HOME: home }, source: "--conn" }).password,
      undefined,
    );
    chmodSync(passfile, 0o644);
    const ignored = resolveConnection("host=db1 dbname=app user=alice", { env: { HOME: home }, source: "--conn" });
    assert.equal(ignored.password, undefined);
    assert.match(ignored.warnings[0] ?? "", /has group or world access/);
  });
});

test("channel_binding=require is taken from the string or PGCHANNELBINDING (libpq 15 supports it), the string first; a bad value is refused", () => {
  withHome((home) => {
    const env = { HOME: home, PGSYSCONFDIR: home };
    assert.equal(
      resolveConnection("host=127.0.0.1 channel_binding=require", { env, source: "--conn" }).channelBinding,
      "require",
    );
    assert.equal(
      resolveConnection("host=127.0.0.1", { env: { ...env, PGCHANNELBINDING: "require" }, source: "--conn" })
        .channelBinding,
      "require",
    );
    assert.equal(
      resolveConnection("host=127.0.0.1 channel_binding=disable", {
        env: { ...env, PGCHANNELBINDING: "require" },
        source: "--conn",
      }).channelBinding,
      "disable",
    );
    assert.equal(resolveConnection("host=127.0.0.1", { env, source: "--conn" }).channelBinding, "prefer");
    assert.throws(
      () => resolveConnection("host=127.0.0.1 channel_binding=bogus", { env, source: "--conn" }),
      usage(/invalid channel_binding value "bogus"/),
    );
  });
});

test("TLS files named but missing are kept as named (libpq reads them when TLS starts and goes on without most of them), and settings list their origins but never the password", () => {
  withHome((home) => {
    const env = { HOME: home, PGSYSCONFDIR: home, PGSSLROOTCERT: "/nonexistent/root.crt", PGPASSWORD: "pw-secret" };
    const resolved = resolveConnection("host=127.0.0.1 sslcert=/nonexistent/client.crt sslcrl=/nonexistent/root.crl", {
      env,
      source: "--conn",
    });
    assert.deepEqual(resolved.sslrootcert, { path: "/nonexistent/root.crt", namedBy: "PGSSLROOTCERT" });
    assert.deepEqual(resolved.sslcert, { path: "/nonexistent/client.crt", namedBy: "--conn" });
    assert.deepEqual(resolved.sslcrl, { path: "/nonexistent/root.crl", namedBy: "--conn" });
    assert.deepEqual(resolved.settings.get("host"), { value: "127.0.0.1", origin: "--conn" });
    assert.deepEqual(resolved.settings.get("sslrootcert"), { value: "/nonexistent/root.crt", origin: "PGSSLROOTCERT" });
    assert.equal(resolved.settings.has("password"), false);
    assert.equal(resolved.passwordFrom, "PGPASSWORD");
  });
});
