import assert from "node:assert/strict";
import { test } from "node:test";
import { explain, ruleMatches, type Connection } from "./match.js";
import type { HbaRule } from "./model.js";
import { parseHbaText } from "./parse/index.js";

async function rules(text: string): Promise<HbaRule[]> {
  const file = await parseHbaText(text, "pg_hba.conf");
  assert.deepEqual(file.errors, []);
  return [...file.rules];
}

async function rule(line: string): Promise<HbaRule> {
  const [only] = await rules(line);
  return only as HbaRule;
}

const tcp = (extra: Partial<Connection> = {}): Connection => ({ user: "alice", database: "app", address: "10.1.2.3", ssl: false, ...extra });
const socket = (extra: Partial<Connection> = {}): Connection => ({ user: "alice", database: "app", address: "local", ssl: false, ...extra });

test("connection types: local only on the socket, host both ways, hostssl/hostnossl by TLS, gssenc by GSSAPI encryption", async () => {
  const local = await rule("local all all peer");
  assert.ok(ruleMatches(local, socket()));
  assert.ok(!ruleMatches(local, tcp()));

  const host = await rule("host all all all md5");
  assert.ok(ruleMatches(host, tcp()) && ruleMatches(host, tcp({ ssl: true })));
  assert.ok(!ruleMatches(host, socket()));

  const ssl = await rule("hostssl all all all md5");
  assert.ok(ruleMatches(ssl, tcp({ ssl: true })) && !ruleMatches(ssl, tcp()));
  const nossl = await rule("hostnossl all all all md5");
  assert.ok(ruleMatches(nossl, tcp()) && !ruleMatches(nossl, tcp({ ssl: true })));

  const gss = await rule("hostgssenc all all all gss");
  assert.ok(ruleMatches(gss, tcp({ gssenc: true })) && !ruleMatches(gss, tcp()));
  const nogss = await rule("hostnogssenc all all all md5");
  assert.ok(ruleMatches(nogss, tcp()) && !ruleMatches(nogss, tcp({ gssenc: true })));
});

test("addresses: CIDR containment in both families, folded masks, all; families never mix", async () => {
  const net8 = await rule("host all all 10.0.0.0 255.0.0.0 md5");
  assert.ok(ruleMatches(net8, tcp({ address: "10.255.0.1" })));
  assert.ok(!ruleMatches(net8, tcp({ address: "11.0.0.1" })));
  const hostBitsSet = await rule("host all all 10.1.2.3/8 md5");
  assert.ok(ruleMatches(hostBitsSet, tcp({ address: "10.9.9.9" })), "host bits below the prefix are ignored");

  const v6 = await rule("host all all fd00::/8 md5");
  assert.ok(ruleMatches(v6, tcp({ address: "fd12::1" })));
  assert.ok(!ruleMatches(v6, tcp({ address: "fe80::1" })));
  const v4 = await rule("host all all 0.0.0.0/0 md5");
  assert.ok(!ruleMatches(v4, tcp({ address: "::1" })));
  assert.ok(!ruleMatches(v4, tcp({ address: "::ffff:10.0.0.1" })), "an IPv4-mapped client is IPv6 to PostgreSQL");

  const all = await rule("host all all all md5");
  assert.ok(ruleMatches(all, tcp({ address: "203.0.113.9" })) && ruleMatches(all, tcp({ address: "2001:db8::1" })));
});

test("samehost and samenet match loopback only; host names never match (no DNS)", async () => {
  for (const keyword of ["samehost", "samenet"]) {
    const same = await rule(`host all all ${keyword} md5`);
    assert.ok(ruleMatches(same, tcp({ address: "127.0.0.1" })) && ruleMatches(same, tcp({ address: "::1" })), keyword);
    assert.ok(!ruleMatches(same, tcp({ address: "10.1.2.3" })), keyword);
  }
  for (const name of ["localhost", ".example.com", "db1.example.com"]) {
    assert.ok(!ruleMatches(await rule(`host all all ${name} md5`), tcp({ address: "127.0.0.1" })), name);
  }
});

test("databases: all, names, sameuser, samerole/samegroup, quoted keywords are names", async () => {
  assert.ok(ruleMatches(await rule("host app,other all all md5"), tcp()));
  assert.ok(!ruleMatches(await rule("host other all all md5"), tcp()));

  const sameuser = await rule("host sameuser all all md5");
  assert.ok(ruleMatches(sameuser, tcp({ database: "alice" })) && !ruleMatches(sameuser, tcp()));

  for (const keyword of ["samerole", "samegroup"]) {
    const samerole = await rule(`host ${keyword} all all md5`);
    assert.ok(ruleMatches(samerole, tcp({ memberOf: ["app"] })), keyword);
    assert.ok(!ruleMatches(samerole, tcp({ memberOf: ["other"] })), keyword);
    assert.ok(ruleMatches(samerole, tcp({ database: "alice" })), "a role is a member of itself");
  }

  const quotedAll = await rule('host "all" all all md5');
  assert.ok(!ruleMatches(quotedAll, tcp()));
  assert.ok(ruleMatches(quotedAll, tcp({ database: "all" })));
  assert.ok(ruleMatches(await rule('host "sameuser" all all md5'), tcp({ database: "sameuser" })));
});

test("replication: only the unquoted keyword matches a physical replication connection, and all does not", async () => {
  const replication = await rule("host replication all all md5");
  const all = await rule("host all all all md5");
  const named = await rule("host postgres all all md5");
  assert.ok(ruleMatches(replication, tcp({ replication: true, database: "postgres" })));
  assert.ok(!ruleMatches(all, tcp({ replication: true })));
  assert.ok(!ruleMatches(named, tcp({ replication: true, database: "postgres" })));
  assert.ok(!ruleMatches(replication, tcp({ database: "replication" })), "the keyword never matches an ordinary connection");
  assert.ok(ruleMatches(await rule('host "replication" all all md5'), tcp({ database: "replication" })), "quoted: a database named replication");
  assert.ok(!ruleMatches(await rule('host "replication" all all md5'), tcp({ replication: true })));
});

test("users: all, names, +group through memberOf (and oneself), quoted +name is a name", async () => {
  assert.ok(ruleMatches(await rule("host all bob,alice all md5"), tcp()));
  assert.ok(!ruleMatches(await rule("host all bob all md5"), tcp()));
  const group = await rule("host all +ops all md5");
  assert.ok(ruleMatches(group, tcp({ memberOf: ["ops"] })));
  assert.ok(!ruleMatches(group, tcp()));
  assert.ok(ruleMatches(group, tcp({ user: "ops" })), "a role is a member of itself");
  const quoted = await rule('host all "+ops" all md5');
  assert.ok(!ruleMatches(quoted, tcp({ memberOf: ["ops"] })));
  assert.ok(ruleMatches(quoted, tcp({ user: "+ops" })));
  assert.ok(!ruleMatches(await rule('host all "all" all md5'), tcp()));
});

test("regular expressions: not anchored, anchored when written so, quoted ones too", async () => {
  const loose = await rule("host /app all all md5");
  assert.ok(ruleMatches(loose, tcp({ database: "myapp_db" })));
  const anchored = await rule("host all /^svc_[a-z]+$ all md5");
  assert.ok(ruleMatches(anchored, tcp({ user: "svc_billing" })));
  assert.ok(!ruleMatches(anchored, tcp({ user: "svc_billing2" })) && !ruleMatches(anchored, tcp({ user: "x_svc_a" })));
  const withComma = await rule('host "/^(a|b){1,2}$" all all md5');
  assert.ok(ruleMatches(withComma, tcp({ database: "ab" })) && !ruleMatches(withComma, tcp({ database: "abc" })));
  assert.ok(!ruleMatches(await rule("host /^app$ all all md5"), tcp({ replication: true, database: "app" })));
});

test("explain: the first matching rule wins, later matches are listed in order", async () => {
  const file = await rules(
    [
      "local all all peer",
      "host all all 192.168.0.0/16 reject",
      "host app alice 10.0.0.0/8 scram-sha-256",
      "host all +staff 10.1.0.0/16 md5",
      "host all all all reject",
    ].join("\n"),
  );
  const result = explain(file, tcp({ memberOf: ["staff"] }));
  assert.equal(result.first?.source.line, 3);
  assert.deepEqual(
    result.later.map((later) => later.source.line),
    [4, 5],
  );

  const other = explain(file, tcp({ user: "bob", address: "10.1.0.1", memberOf: ["staff"] }));
  assert.equal(other.first?.source.line, 4);
  assert.equal(explain(file, socket()).first?.source.line, 1);
});

test("explain: no matching rule means no first rule (PostgreSQL rejects)", async () => {
  const file = await rules("local all postgres peer\nhost app all 10.0.0.0/8 md5");
  const result = explain(file, tcp({ database: "other" }));
  assert.equal(result.first, undefined);
  assert.deepEqual(result.later, []);
  assert.equal(explain([], socket()).first, undefined);
});

test("a connection from an address that is not an IP matches only address all", async () => {
  const file = await rules("host all all 0.0.0.0/0 md5\nhost all all samehost md5\nhost all all all trust");
  assert.equal(explain(file, tcp({ address: "not-an-ip" })).first?.source.line, 3);
});
