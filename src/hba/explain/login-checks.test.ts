import assert from "node:assert/strict";
import { test } from "node:test";

import type { Connection } from "../match.js";
import type { HbaRule } from "../model.js";
import { parseHbaText } from "../parse/index.js";
import { authenticationOutcome } from "./authentication.js";
import { afterAuthentication, type LoginFacts } from "./login-checks.js";

async function rule(line: string): Promise<HbaRule> {
  const file = await parseHbaText(line, "pg_hba.conf");
  assert.deepEqual(file.errors, []);
  return file.rules[0] as HbaRule;
}

const alice: Connection = { user: "alice", database: "app", address: "10.1.2.3", ssl: true };
const FINE: LoginFacts = {
  role: { superuser: false, canLogin: true, replication: false, password: { kind: "scram", expired: false } },
  database: { exists: true, allowConnections: true, canConnect: true },
  majorVersion: 15,
};
const facts = (
  role: Partial<LoginFacts["role"]>,
  database: Partial<LoginFacts["database"]> = {},
  majorVersion = 15,
): LoginFacts => ({
  role: { ...FINE.role, ...role },
  database: { ...FINE.database, ...database },
  majorVersion,
});

async function after(line: string, login: LoginFacts, connection: Connection = alice) {
  const matched = await rule(line);
  return afterAuthentication(authenticationOutcome(matched, connection), matched, connection, login);
}

test("the login checks after the line, in the server's order, each with the server's message", async () => {
  const rows: readonly [string, LoginFacts, Connection, string | undefined][] = [
    ["host all all all scram-sha-256", FINE, alice, undefined],
    [
      "host all all all scram-sha-256",
      facts({ password: { kind: "md5" } }),
      alice,
      'password authentication failed for user "alice"',
    ],
    ["host all all all trust", facts({ canLogin: false }), alice, 'role "alice" is not permitted to log in'],
    // The password fails before NOLOGIN is looked at.
    [
      "host all all all scram-sha-256",
      facts({ canLogin: false, password: { kind: "none" } }),
      alice,
      'password authentication failed for user "alice"',
    ],
    [
      "host all all all trust",
      facts({}, { exists: false, allowConnections: false, canConnect: false }),
      alice,
      'database "app" does not exist',
    ],
    [
      "host all all all trust",
      facts({ superuser: true }, { allowConnections: false }),
      alice,
      'database "app" is not currently accepting connections',
    ],
    ["host all all all trust", facts({}, { canConnect: false }), alice, 'permission denied for database "app"'],
    ["host all all all trust", facts({ superuser: true }, { canConnect: false }), alice, undefined],
    [
      "host replication all all trust",
      facts({}),
      { ...alice, replication: true },
      "must be superuser or replication role to start walsender",
    ],
    [
      "host replication all all trust",
      facts({}, {}, 16),
      { ...alice, replication: true },
      "permission denied to start WAL sender",
    ],
    // A physical replication connection asks for no database.
    [
      "host replication all all trust",
      facts({ replication: true }, { exists: false }),
      { ...alice, replication: true },
      undefined,
    ],
    // cert and trust never look at the stored password or VALID UNTIL.
    [
      "hostssl all all all cert",
      facts({ password: { kind: "none", expired: true } }),
      { ...alice, certificate: { commonName: "alice" } },
      undefined,
    ],
  ];
  for (const [line, login, connection, refused] of rows) {
    const outcome = await after(line, login, connection);
    const label = `${line} ${JSON.stringify(login)}`;
    assert.equal(outcome.access, refused === undefined ? "allowed" : "refused", `${label}: ${outcome.reason}`);
    assert.equal(outcome.serverMessage, refused, label);
  }
});

test("an outcome already refused or unknown is left as it was", async () => {
  const noCertificate = await after("hostssl all all all cert", facts({ canLogin: false }));
  assert.match(noCertificate.reason ?? "", /no client certificate/);
  const mapped = await after("hostssl all all all cert map=m", facts({ canLogin: false }), {
    ...alice,
    certificate: { commonName: "x" },
  });
  assert.equal(mapped.access, "unknown");
});
