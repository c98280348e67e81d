import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { askedConnection, type ConnectionAsk } from "./asked-connection.js";

test("the connection a person describes: the database defaults to the role, a certificate implies TLS, a socket has none", () => {
  assert.deepEqual(askedConnection({ user: "app", addr: "10.1.2.3" }), {
    user: "app",
    database: "app",
    address: "10.1.2.3",
    ssl: false,
  });
  assert.deepEqual(askedConnection({ user: "app", db: "meta", addr: "::1", cert: "app" }), {
    user: "app",
    database: "meta",
    address: "::1",
    ssl: true,
    certificate: { commonName: "app" },
  });
  assert.deepEqual(askedConnection({ user: "app", addr: "local", replication: true }), {
    user: "app",
    database: "app",
    address: "local",
    ssl: false,
    replication: true,
  });
  assert.equal(askedConnection({ user: "app", addr: "10.1.2.3", tls: true }).ssl, true);
});

test("what cannot be a connection is a usage error (exit 2) with its own code", () => {
  const table: { ask: ConnectionAsk; code: string; message: RegExp }[] = [
    { ask: { addr: "10.1.2.3" }, code: "explain-user", message: /--user NAME/ },
    { ask: { user: "", addr: "10.1.2.3" }, code: "explain-user", message: /--user NAME/ },
    { ask: { user: "app" }, code: "explain-addr", message: /--addr IP \(or --addr local/ },
    { ask: { user: "app", addr: "db.example.com" }, code: "explain-addr", message: /got "db\.example\.com"/ },
    { ask: { user: "app", addr: "local", tls: true }, code: "explain-socket-tls", message: /no TLS/ },
    { ask: { user: "app", addr: "local", cert: "app" }, code: "explain-socket-tls", message: /no TLS/ },
    { ask: { user: "app", addr: "10.1.2.3", cert: "" }, code: "explain-cert", message: /certificate's CN/ },
  ];
  for (const row of table) {
    assert.throws(
      () => askedConnection(row.ask),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.exitCode === 2 &&
        error.code === row.code &&
        row.message.test(error.message),
      JSON.stringify(row.ask),
    );
  }
});
