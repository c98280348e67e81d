import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import type { Connection } from "../match.js";
import type { HbaRule } from "../model.js";
import { parseHbaText } from "../parse/index.js";
import { explainConnection } from "./explain-connection.js";

async function rules(...lines: string[]): Promise<HbaRule[]> {
  const file = await parseHbaText(lines.join("\n"), "pg_hba.conf");
  assert.deepEqual(file.errors, []);
  return [...file.rules];
}

const tcp = (extra: Partial<Connection> = {}): Connection => ({
  user: "alice",
  database: "app",
  address: "10.1.2.3",
  ssl: false,
  memberOf: [],
  ...extra,
});

test("the first matching line decides; later lines are listed but never tried", async () => {
  const file = await rules("host all alice 10.0.0.0/8 scram-sha-256", "host all all all trust");
  const result = explainConnection(file, tcp());
  assert.equal(result.verdict, "allowed");
  assert.equal(result.first?.rule.source.line, 1);
  assert.equal(result.first?.outcome.demands, "a password (SCRAM-SHA-256)");
  assert.deepEqual(
    result.later.map((rule) => rule.source.line),
    [2],
  );
  assert.equal(result.reason, "pg_hba.conf:1 (scram-sha-256) lets the user in; it demands a password (SCRAM-SHA-256)");
});

test("an earlier reject wins over a later line that would allow", async () => {
  const result = explainConnection(
    await rules("host all alice 10.0.0.0/8 reject", "host all alice 10.0.0.0/8 trust"),
    tcp(),
  );
  assert.equal(result.verdict, "refused");
  assert.equal(result.first?.rule.method, "reject");
  assert.equal(result.later[0]?.method, "trust");
});

test("a cert line whose CN check fails refuses: PostgreSQL does not fall through to the next line", async () => {
  const file = await rules("hostssl all alice all cert", "hostssl all alice all trust");
  const result = explainConnection(file, tcp({ ssl: true, certificate: { commonName: "bob" } }));
  assert.equal(result.verdict, "refused");
  assert.equal(
    result.reason,
    'pg_hba.conf:1 (cert) matches and would fail: certificate CN bob is not user alice (the client is told: certificate authentication failed for user "alice"); later lines are never tried',
  );
  assert.equal(result.later[0]?.method, "trust");
  assert.equal(explainConnection(file, tcp({ ssl: true, certificate: { commonName: "alice" } })).verdict, "allowed");
});

test("no matching line: refused", async () => {
  const result = explainConnection(await rules("host all bob all trust"), tcp());
  assert.equal(result.verdict, "refused");
  assert.equal(result.first, undefined);
  assert.match(result.reason, /no line matches/);
});

test("undecided lines before the first sure match: their shared verdict, or unknown", async () => {
  const sameVerdict = explainConnection(
    await rules("host all +ops all reject", "host all all all reject"),
    tcp({ memberOf: undefined }),
  );
  assert.equal(sameVerdict.verdict, "refused", "either way a reject");
  assert.match(sameVerdict.reason, /may match first, with the same verdict/);

  const differs = explainConnection(await rules("host all all db.example.com reject", "host all all all trust"), tcp());
  assert.equal(differs.verdict, "unknown");
  assert.equal(differs.undecided[0]?.rule.source.line, 1);
  assert.equal(differs.undecided[0]?.outcome.access, "refused");
  assert.match(
    differs.reason,
    /^pg_hba\.conf:1 may match first: host name db\.example\.com: .*DNS.*\. If none does: pg_hba\.conf:2 \(trust\) lets the user in/,
  );

  const noRuleAfter = explainConnection(await rules("host all all samenet trust"), tcp());
  assert.equal(noRuleAfter.verdict, "unknown", "allowed if samenet matches, rejected if not");
});

test("a role the server does not have is refused whatever line matches", async () => {
  const result = explainConnection(await rules("host all all all trust"), tcp(), { roleExists: false });
  assert.equal(result.verdict, "refused");
  assert.match(result.reason, /role alice does not exist on the server/);
  assert.equal(result.first?.rule.method, "trust", "the line is still reported");
});

test("the server's major version decides whether /tokens are patterns", async () => {
  const file = await rules("host all /^svc_ all trust", "host all all all reject");
  assert.equal(explainConnection(file, tcp({ user: "svc_a" })).verdict, "allowed");
  assert.equal(explainConnection(file, tcp({ user: "svc_a" }), { server: { majorVersion: 15 } }).verdict, "refused");
});

test("with the server's login facts, a line that lets the client through still refuses what the server refuses after it", async () => {
  const file = await rules("host all alice 10.0.0.0/8 scram-sha-256", "host all all all trust");
  const login = {
    role: { superuser: false, canLogin: true, replication: false, password: { kind: "md5" as const, expired: false } },
    database: { exists: true, allowConnections: true, canConnect: true },
    majorVersion: 15,
  };
  const md5Secret = explainConnection(file, tcp(), { login });
  assert.deepEqual(
    [md5Secret.verdict, md5Secret.serverMessage],
    ["refused", 'password authentication failed for user "alice"'],
  );
  assert.match(
    md5Secret.reason,
    /line 1|:1 \(scram-sha-256\) matches and would fail: alice's password is stored as MD5/,
  );
  const noDatabase = explainConnection(file, tcp(), {
    login: {
      ...login,
      role: { ...login.role, password: { kind: "scram" } },
      database: { ...login.database, exists: false },
    },
  });
  assert.deepEqual([noDatabase.verdict, noDatabase.serverMessage], ["refused", 'database "app" does not exist']);
  // Without the facts (a file, an inventory), the password line is allowed once the right password is sent.
  assert.equal(explainConnection(file, tcp()).verdict, "allowed");
});

test("an address that is neither an IP address nor local is a usage error (explain-addr, exit 2), not a verdict", async () => {
  const file = await rules("local all all trust", "host all all all trust");
  for (const address of ["bogus", "", "10.0.0.0/8", "10.0.0.256", "localhost", "LOCAL"]) {
    assert.throws(
      () => explainConnection(file, tcp({ address })),
      (error: unknown) =>
        error instanceof PgwardenError &&
        error.code === "explain-addr" &&
        error.exitCode === 2 &&
        error.message ===
          `connection.address must be an IPv4 or IPv6 address, or local for the unix socket, got ${JSON.stringify(address)}`,
      address,
    );
  }
  for (const address of ["10.1.2.3", "::1", "::ffff:10.1.2.3", "local"])
    assert.equal(explainConnection(file, tcp({ address })).verdict, "allowed", address);
});
