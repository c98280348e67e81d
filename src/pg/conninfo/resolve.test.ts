import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PgwardenError } from "../../errors.js";
import { DEFAULT_SOCKET_DIRECTORY, resolveConnection } from "./resolve.js";

function withHome(check: (home: string) => void): void {
  const home = mkdtempSync(join(tmpdir(), "home-"));
  try {
    check(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const usage = (pattern: RegExp) => (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && pattern.test(error.message);

test("nothing given: libpq's defaults (Debian's socket directory, 5432, the OS user, dbname = user, sslmode prefer, files under ~/.postgresql)", () => {
  withHome((home) => {
    const resolved = resolveConnection(undefined, { env: { HOME: home, PGSYSCONFDIR: home }, source: "--conn" });
    const user = userInfo().username;
    assert.deepEqual(
      { host: resolved.host, socket: resolved.socket, port: resolved.port, user: resolved.user, dbname: resolved.dbname, sslmode: resolved.sslmode },
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
    const env = { HOME: home, PGSYSCONFDIR: home, PGHOST: "from-env", PGPORT: "5441", PGUSER: "envuser", PGDATABASE: "envdb", PGSSLMODE: "require" };
    const resolved = resolveConnection("service=svc dbname=strdb", { env, source: "--conn" });
    assert.deepEqual([resolved.host, resolved.port, resolved.user, resolved.dbname, resolved.sslmode], ["from-service", 5440, "envuser", "strdb", "require"]);
    assert.equal(resolved.origins.get("port"), `service svc (${join(home, ".pg_service.conf")}:3)`);
    assert.equal(resolved.origins.get("user"), "PGUSER");
    const viaEnv = resolveConnection(undefined, { env: { ...env, PGSERVICE: "svc" }, source: "--conn" });
    assert.equal(viaEnv.host, "from-service", "PGSERVICE picks the service too");
  });
});

test("values are checked once settled, naming where they came from: a bad PGSSLMODE, an unsupported keyword from the environment", () => {
  withHome((home) => {
    assert.throws(() => resolveConnection("host=x", { env: { HOME: home, PGSSLMODE: "bogus" }, source: "--conn" }), usage(/^PGSSLMODE: invalid sslmode value "bogus"/));
    assert.throws(() => resolveConnection("host=x", { env: { HOME: home, PGGSSENCMODE: "require" }, source: "--conn" }), usage(/^PGGSSENCMODE: gssencmode=require is not supported/));
    assert.doesNotThrow(() => resolveConnection("host=x gssencmode=prefer sslcompression=0", { env: { HOME: home }, source: "--conn" }), "values that ask for what pgwarden does anyway");
    assert.throws(() => resolveConnection("host=x ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2", { env: { HOME: home }, source: "--conn" }), usage(/invalid SSL protocol version range/));
    assert.throws(() => resolveConnection("host=x connect_timeout=soon", { env: { HOME: home }, source: "--conn" }), usage(/invalid integer value "soon" for connection option "connect_timeout"/));
  });
});

test("the password: never from the string; PGPASSWORD before the passfile; the passfile matched for the settled host, port, database and user", () => {
  withHome((home) => {
    const passfile = join(home, ".pgpass");
    writeFileSync(passfile, "db1:5432:app:alice:from-file\n");
    chmodSync(passfile, 0o600);
    assert.throws(() => resolveConnection("host=db1 password=x", { env: { HOME: home }, source: "--conn" }), (error: unknown) => error instanceof PgwardenError && /must not contain a password/.test(error.message));
    const fromFile = resolveConnection("host=db1 dbname=app user=alice", { env: { HOME: home }, source: "--conn" });
    assert.deepEqual([fromFile.password, fromFile.passwordFrom], ["from-file", `passfile ${passfile}`]);
    const fromEnv = resolveConnection("host=db1 dbname=app user=alice", { env: { HOME: home, PGPASSWORD: "from-env" }, source: "--conn" });
    assert.deepEqual([fromEnv.password, fromEnv.passwordFrom], ["from-env", "PGPASSWORD"]);
    assert.equal(resolveConnection("host=db2 dbname=app user=alice", { env: { HOME: home }, source: "--conn" }).password, undefined);
    chmodSync(passfile, 0o644);
    const ignored = resolveConnection("host=db1 dbname=app user=alice", { env: { HOME: home }, source: "--conn" });
    assert.equal(ignored.password, undefined);
    assert.match(ignored.warnings[0] ?? "", /has group or world access/);
  });
});

test("TLS files named by the string or the environment must exist; libpq's defaults need not", () => {
  withHome((home) => {
    mkdirSync(join(home, ".postgresql"));
    assert.throws(
      () => resolveConnection("host=x", { env: { HOME: home, PGSSLROOTCERT: join(home, "nope.crt") }, source: "--conn" }),
      (error: unknown) => error instanceof PgwardenError && error.exitCode === 4 && /^PGSSLROOTCERT names sslrootcert=.*nope\.crt, which does not exist/.test(error.message),
    );
    assert.doesNotThrow(() => resolveConnection("host=x sslmode=verify-full", { env: { HOME: home }, source: "--conn" }));
  });
});
