import assert from "node:assert/strict";
import { test } from "node:test";

import { type Connection, explain, matchRule, ruleMatches } from "./match.js";
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

const tcp = (extra: Partial<Connection> = {}): Connection => ({
  user: "alice",
  database: "app",
  address: "10.1.2.3",
  ssl: false,
  ...extra,
});
const socket = (extra: Partial<Connection> = {}): Connection => ({
  user: "alice",
  database: "app",
  address: "local",
  ssl: false,
  ...extra,
});

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

test("samehost and samenet: loopback clients are decided, other clients are unknown without the server's addresses", async () => {
  const samehost = await rule("host all all samehost md5");
  const samenet = await rule("host all all samenet md5");
  for (const address of ["127.0.0.1", "::1"]) {
    assert.equal(matchRule(samehost, tcp({ address })).verdict, "yes", address);
    assert.equal(matchRule(samenet, tcp({ address })).verdict, "yes", address);
  }
  // lo carries 127.0.0.1/8: 127.0.0.2 is on its net but is not one of its addresses.
  assert.equal(matchRule(samenet, tcp({ address: "127.0.0.2" })).verdict, "yes");
  assert.equal(matchRule(samehost, tcp({ address: "127.0.0.2" })).verdict, "unknown");
  const remote = matchRule(samehost, tcp({ address: "10.1.2.3" }));
  assert.equal(remote.verdict, "unknown");
  assert.match(remote.unknown ?? "", /samehost.*server's interfaces/);
  assert.equal(matchRule(samenet, tcp({ address: "10.1.2.3" })).verdict, "unknown");
  assert.ok(!ruleMatches(samehost, tcp({ address: "10.1.2.3" })), "unknown is not a sure match");
  assert.equal(
    matchRule(samehost, tcp({ address: "10.1.2.3" }), { addresses: ["10.1.2.3"] }).verdict,
    "yes",
    "an address the server is known to have",
  );
  assert.equal(
    matchRule(samehost, tcp({ address: "10.1.2.4" }), { addresses: ["10.1.2.3"] }).verdict,
    "unknown",
    "it may have others",
  );
});

test("host names are never resolved: their match is unknown, and says why", async () => {
  for (const name of ["localhost", ".example.com", "db1.example.com"]) {
    const result = matchRule(await rule(`host all all ${name} md5`), tcp({ address: "127.0.0.1" }));
    assert.equal(result.verdict, "unknown", name);
    assert.match(result.unknown ?? "", new RegExp(`host name ${name.replaceAll(".", "\\.")}: .*DNS`));
  }
  assert.equal(
    matchRule(await rule("host all bob db1.example.com md5"), tcp()).verdict,
    "no",
    "another field already fails",
  );
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
    assert.equal(matchRule(samerole, tcp({ memberOf: ["other"] })).verdict, "no", keyword);
    assert.equal(matchRule(samerole, tcp()).verdict, "unknown", "memberships not given");
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
  assert.ok(
    !ruleMatches(replication, tcp({ database: "replication" })),
    "the keyword never matches an ordinary connection",
  );
  assert.ok(
    ruleMatches(await rule('host "replication" all all md5'), tcp({ database: "replication" })),
    "quoted: a database named replication",
  );
  assert.ok(!ruleMatches(await rule('host "replication" all all md5'), tcp({ replication: true })));
});

test("users: all, names, +group through memberOf (and oneself), quoted +name is a name", async () => {
  assert.ok(ruleMatches(await rule("host all bob,alice all md5"), tcp()));
  assert.ok(!ruleMatches(await rule("host all bob all md5"), tcp()));
  const group = await rule("host all +ops all md5");
  assert.ok(ruleMatches(group, tcp({ memberOf: ["ops"] })));
  assert.equal(matchRule(group, tcp({ memberOf: [] })).verdict, "no", "known to be a member of nothing");
  const unknownMembership = matchRule(group, tcp());
  assert.equal(unknownMembership.verdict, "unknown", "memberships not given");
  assert.match(unknownMembership.unknown ?? "", /whether alice is a member of ops is not known/);
  assert.equal(
    matchRule(await rule("host all +ops,alice all md5"), tcp()).verdict,
    "yes",
    "another token of the list matches surely",
  );
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

test("before PostgreSQL 16 a /token is a plain name, as that server reads it", async () => {
  const pattern = await rule("host all /^svc_[a-z]+$ all md5");
  assert.ok(ruleMatches(pattern, tcp({ user: "svc_billing" }), { majorVersion: 16 }));
  assert.ok(!ruleMatches(pattern, tcp({ user: "svc_billing" }), { majorVersion: 15 }));
  assert.ok(ruleMatches(pattern, tcp({ user: "/^svc_[a-z]+$" }), { majorVersion: 15 }), "the literal name");
  assert.ok(!ruleMatches(pattern, tcp({ user: "/^svc_[a-z]+$" }), { majorVersion: 17 }));
  const database = await rule("host /^app all all md5");
  assert.ok(
    ruleMatches(database, tcp({ database: "app_db" })) &&
      !ruleMatches(database, tcp({ database: "app_db" }), { majorVersion: 14 }),
  );
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
  assert.deepEqual(result.undecided, []);
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

test("explain: rules before the first sure match that may match are undecided, with why; later unknown ones are not listed", async () => {
  const file = await rules(
    [
      "host all +ops 10.0.0.0/8 reject",
      "host all all db.example.com reject",
      "host all alice 10.0.0.0/8 scram-sha-256",
      "host all +staff 10.0.0.0/8 trust",
      "host all all 10.0.0.0/8 md5",
    ].join("\n"),
  );
  const result = explain(file, tcp());
  assert.equal(result.first?.source.line, 3);
  assert.deepEqual(
    result.undecided.map((undecided) => undecided.rule.source.line),
    [1, 2],
  );
  assert.match(result.undecided[0]?.reason ?? "", /member of ops/);
  assert.match(result.undecided[1]?.reason ?? "", /host name db\.example\.com/);
  assert.deepEqual(
    result.later.map((later) => later.source.line),
    [5],
    "+staff is unknown, so it is not a sure later match",
  );
  const known = explain(file, tcp({ memberOf: [] }));
  assert.deepEqual(
    known.undecided.map((undecided) => undecided.rule.source.line),
    [2],
    "with memberships given only the host name is left",
  );
  assert.equal(explain(file, tcp({ memberOf: ["ops"] })).first?.source.line, 1);
});

test("an address with a mask that is not contiguous matches bit by bit, as hba.c check_ip does", async () => {
  const masked = await rule("host all all 127.0.0.1 255.0.255.0 trust");
  // 127.x.0.y: the first and third octets are compared, the others are not.
  assert.equal(matchRule(masked, tcp({ address: "127.9.0.7" })).verdict, "yes");
  assert.equal(matchRule(masked, tcp({ address: "127.0.0.1" })).verdict, "yes");
  assert.equal(matchRule(masked, tcp({ address: "127.0.1.1" })).verdict, "no");
  assert.equal(matchRule(masked, tcp({ address: "10.0.0.1" })).verdict, "no");
  assert.equal(matchRule(masked, tcp({ address: "::1" })).verdict, "no");
});

test("a token read from pg_hba_file_rules whose quotes are not known is unknown where the keyword and the name differ", async () => {
  const [base] = await rules("host all all 10.0.0.0/8 trust");
  const ambiguous = { value: "all", quoted: false, quoteUnknown: true };
  const fromView = { ...(base as HbaRule), users: [ambiguous] };
  assert.equal(matchRule(fromView, tcp({ user: "alice" })).verdict, "unknown", "all, or the role named all?");
  assert.match(matchRule(fromView, tcp()).unknown ?? "", /without the quotes/);
  assert.equal(matchRule(fromView, tcp({ user: "all" })).verdict, "yes", "the role named all matches either way");
  const group = { ...(base as HbaRule), users: [{ value: "+ops", quoted: false, quoteUnknown: true }] };
  assert.equal(
    matchRule(group, tcp({ memberOf: [] })).verdict,
    "no",
    "neither a member of ops nor the role named +ops",
  );
  assert.equal(matchRule(group, tcp({ memberOf: ["ops"] })).verdict, "unknown");
});
