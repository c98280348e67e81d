import assert from "node:assert/strict";
import { test } from "node:test";

import { failsAt } from "../../core/finding.js";
import type { ConnectionType, HbaRule } from "../model.js";
import { lintRules } from "./run-lint.js";
import { findShadowed } from "./shadow.js";

/** A rule from a simple pg_hba line (no quoting, no includes: the parser has its own tests). */
function rule(line: string, at = 1, file = "pg_hba.conf"): HbaRule {
  const [type, db = "", user = "", ...rest] = line.trim().split(/\s+/);
  const local = type === "local";
  const address = local ? undefined : rest.shift();
  const [method = "", ...optionWords] = rest;
  const options = Object.fromEntries(optionWords.map((word) => word.split("=") as [string, string]));
  const tokens = (list: string) =>
    list.split(",").map((value) => ({ value: value.replace(/^"|"$/g, ""), quoted: value.startsWith('"') }));
  return {
    type: type as ConnectionType,
    databases: tokens(db),
    users: tokens(user),
    address,
    method,
    options,
    source: { file, line: at },
    text: line,
  };
}

const rules = (...lines: string[]) => lines.map((line, index) => rule(line, index + 1));
const context = { superusers: ["postgres"] };
const ids = (lines: string[], extra: Partial<typeof context & { ssl: boolean; identMaps: string[] }> = {}) =>
  lintRules(rules(...lines), { ...context, ...extra }).findings.map(
    (finding) => `${finding.source.line}:${finding.id}:${finding.severity}`,
  );

test("severity follows exposure: scram without TLS and wide replication from private address space only are medium, from the internet (or md5) high", () => {
  const cases: [string, string][] = [
    ["host all app 10.0.0.0/8 scram-sha-256", "password-without-tls:medium"],
    ["host all app 192.168.1.0/24 scram-sha-256", "password-without-tls:medium"],
    ["host all app fd00::/8 scram-sha-256", "password-without-tls:medium"],
    ["host all app samenet scram-sha-256", "password-without-tls:medium"],
    ["host all app 10.0.0.0/8 md5", "password-without-tls:high"],
    ["host all app 0.0.0.0/0 scram-sha-256", "password-without-tls:high"],
    ["host all app 8.0.0.0/7 scram-sha-256", "password-without-tls:high"],
    ["host all app db.example.com scram-sha-256", "password-without-tls:high"],
    ["host replication replicator 10.0.0.0/8 scram-sha-256", "replication-wide:medium"],
    ["host replication replicator 172.16.0.0/12 scram-sha-256", "replication-wide:medium"],
    ["host replication replicator 0.0.0.0/0 scram-sha-256", "replication-wide:high"],
    ["host replication replicator 172.0.0.0/8 scram-sha-256", "replication-wide:high"],
  ];
  for (const [line, expected] of cases)
    assert.ok(ids([line]).includes(`1:${expected}`), `${line} -> ${expected}: got ${ids([line]).join(" ")}`);
});

test("each check fires on the rule it is about, and not on the safe form of it", () => {
  const cases: [string, string, string][] = [
    ["host all app 10.0.0.0/24 trust", "trust-from-network:critical", "host all app 127.0.0.1/32 trust"],
    ["hostssl all app 10.0.0.0/24 password", "password-cleartext:high", "hostssl all app 10.0.0.0/24 scram-sha-256"],
    ["hostssl all app 10.0.0.0/24 md5", "md5-deprecated:medium", "hostssl all app 10.0.0.0/24 scram-sha-256"],
    [
      "host all app 203.0.113.0/24 scram-sha-256",
      "password-without-tls:high",
      "host all app 127.0.0.1/32 scram-sha-256",
    ],
    ["hostssl all app 10.0.0.0/24 ident", "ident-over-tcp:medium", "local all app peer"],
    ["hostssl all app 0.0.0.0/0 scram-sha-256", "wide-address:high", "hostssl all app 10.1.0.0/16 scram-sha-256"],
    ["hostssl all app 10.0.0.0/8 scram-sha-256", "wide-address:medium", "hostssl all app 10.1.0.0/16 scram-sha-256"],
    ["hostssl all all 10.0.0.0/24 cert", "all-all-from-network:medium", "hostssl app app 10.0.0.0/24 cert"],
    [
      "hostssl replication replicator 198.18.0.0/16 scram-sha-256",
      "replication-wide:high",
      "hostssl replication replicator 198.18.0.0/24 scram-sha-256",
    ],
    [
      "hostssl all postgres 10.0.0.0/24 scram-sha-256",
      "superuser-without-cert:high",
      "hostssl all postgres 10.0.0.0/24 cert",
    ],
  ];
  for (const [bad, expected, good] of cases) {
    assert.ok(ids([bad]).includes(`1:${expected}`), `${bad} -> ${expected}: got ${ids([bad]).join(" ")}`);
    const [id] = expected.split(":");
    assert.ok(
      !ids([good]).some((found) => found.startsWith(`1:${id}:`)),
      `${good} must not give ${id}: ${ids([good]).join(" ")}`,
    );
  }
  // The all-all case: the rule with all databases and all users.
  assert.ok(ids(["hostssl all all 10.0.0.0/24 scram-sha-256"]).includes("1:all-all-from-network:medium"));
  assert.ok(
    ids(["hostssl all all 10.0.0.0/24 scram-sha-256"]).includes("1:superuser-without-cert:high"),
    "all users include the superusers",
  );
  assert.deepEqual(ids(["hostssl all all 0.0.0.0/0 reject"]), [], "a reject line is never a finding");
  assert.deepEqual(ids(["hostssl all app 10.0.0.0/24 scram-sha-256 clientcert=verify-full"]), []);
});

test("context checks: hostssl while ssl is off, and a map= that pg_ident.conf lacks", () => {
  assert.ok(ids(["hostssl all app 10.0.0.0/24 cert"], { ssl: false }).includes("1:hostssl-while-ssl-off:high"));
  assert.deepEqual(ids(["hostssl all app 10.0.0.0/24 cert"], { ssl: true }), []);
  assert.ok(
    ids(["hostssl all app 10.0.0.0/24 cert map=omicron"], { identMaps: ["other"] }).includes(
      "1:unknown-ident-map:high",
    ),
  );
  assert.deepEqual(ids(["hostssl all app 10.0.0.0/24 cert map=omicron"], { identMaps: ["omicron"] }), []);
});

test("shadowed rules: wider or equal address, covering type and lists; replication and different users are not shadowed", () => {
  const found = findShadowed(
    rules(
      "host all all 10.0.0.0/8 reject",
      "hostssl app app 10.1.2.0/24 cert", // 2: shadowed by 1 (host covers hostssl, all covers app)
      "hostssl replication replicator 10.1.0.0/16 scram-sha-256", // 3: all does not match replication
      "local all all peer",
      "local app app md5", // 5: shadowed by 4
      "hostssl all app 192.168.0.0/16 cert",
      "hostssl all other 192.168.1.0/24 cert", // 7: other user, not shadowed
      "hostssl all app 192.168.1.0/24 cert", // 8: shadowed by 6
      "hostssl all app 192.168.0.0/16 cert", // 9: duplicate of 6
      "hostssl all app ::/0 cert",
      "hostssl all app fd00::/8 cert", // 11: shadowed by 10
      "hostnossl all app 192.168.1.0/24 cert", // 12: hostssl does not cover hostnossl
    ),
  ).map((shadow) => `${shadow.rule.source.line}<${shadow.by.source.line}${shadow.duplicate ? " dup" : ""}`);
  assert.deepEqual(found, ["2<1", "5<4", "8<6", "9<6 dup", "11<10"]);
});

test("shadowed rules: an earlier user or database list that contains the later one's, without being all", () => {
  const shadowed = (...lines: string[]) =>
    lintRules(rules(...lines), context)
      .findings.filter((finding) => finding.id === "shadowed-rule")
      .map((finding) => finding.source.line);
  assert.deepEqual(
    shadowed(
      "host all alice,bob 10.0.0.0/8 scram-sha-256",
      "host all alice 10.1.0.0/16 scram-sha-256", // 2: alice is in alice,bob
      "host db1,db2 all 10.0.0.0/8 scram-sha-256",
      "host db1 all 10.2.0.0/16 md5", // 4: db1 is in db1,db2
    ),
    [2, 4],
  );
  assert.deepEqual(
    shadowed("hostssl app,other u1,u2,u3 10.0.0.0/8 cert", 'hostssl other,app u3,"u1" 10.1.0.0/16 md5'),
    [2],
    "a quoted name is the same name",
  );
  assert.deepEqual(
    shadowed("hostssl all,replication u1 10.0.0.0/8 cert", "hostssl replication,app u1 10.1.0.0/16 md5"),
    [2],
    "replication is in the list",
  );
  assert.deepEqual(
    shadowed("hostssl all u1 10.0.0.0/8 cert", 'hostssl "replication",app u1 10.1.0.0/16 md5'),
    [2],
    'a quoted "replication" is a database all matches',
  );
  assert.deepEqual(
    shadowed("hostssl samegroup u1 10.0.0.0/8 cert", "hostssl samerole u1 10.1.0.0/16 md5"),
    [2],
    "samegroup is samerole",
  );
  // Not shadowed: the earlier list lacks a token, or only seems to contain it.
  assert.deepEqual(
    shadowed("hostssl all alice,bob 10.0.0.0/8 cert", "hostssl all alice,carol 10.1.0.0/16 md5"),
    [],
    "carol is not in alice,bob",
  );
  assert.deepEqual(
    shadowed('hostssl all "all",bob 10.0.0.0/8 cert', "hostssl all alice 10.1.0.0/16 md5"),
    [],
    'a quoted "all" is a role named all',
  );
  assert.deepEqual(
    shadowed("hostssl all alice,bob 10.0.0.0/8 cert", "hostssl all +alice 10.1.0.0/16 md5"),
    [],
    "+alice is every member of alice, not the role alice",
  );
  assert.deepEqual(
    shadowed("hostssl all alice,bob 10.0.0.0/8 cert", "hostssl all /^alice$ 10.1.0.0/16 md5"),
    [],
    "what a pattern matches is not compared",
  );
  assert.deepEqual(
    shadowed("hostssl all,db1 u1 10.0.0.0/8 cert", "hostssl db1,replication u1 10.1.0.0/16 md5"),
    [],
    "all does not match replication connections",
  );
  assert.deepEqual(
    shadowed("hostssl db1,db2 u1,u2 10.1.0.0/16 cert", "hostssl db1 u1 10.0.0.0/8 md5"),
    [],
    "a wider address is not shadowed",
  );
});

test("findings are ordered by position in the file; --fail-on compares severities", () => {
  const { findings } = lintRules(rules("hostssl all app 10.0.0.0/24 md5", "host all all 0.0.0.0/0 trust"), context);
  assert.deepEqual([...new Set(findings.map((finding) => finding.source.line))], [1, 2]);
  assert.equal(
    findings.find((finding) => finding.source.line === 2)?.severity,
    "critical",
    "the worst finding of a rule comes first",
  );
  assert.ok(failsAt(findings, "high"));
  assert.ok(!failsAt(lintRules(rules("hostssl all app 10.0.0.0/24 md5"), context).findings, "high"));
  for (const finding of findings)
    assert.ok(finding.why.length > 20 && finding.fix.length > 5, `${finding.id} explains itself`);
});

test("a file check with hundreds of thousands of findings does not overflow the call stack", () => {
  // push(...list) passes each finding as an argument: ~120,000 of them overflowed the stack.
  const many = 500_000;
  const source = { file: "pg_hba.conf", line: 1 };
  const flood = {
    id: "flood",
    severity: "low" as const,
    title: "t",
    why: "w",
    checkAll: () =>
      Array.from({ length: many }, () => ({
        id: "flood",
        severity: "low" as const,
        source,
        rule: "",
        message: "m",
        why: "w",
        fix: "f",
      })),
  };
  const result = lintRules(rules("local all all peer"), context, [flood]);
  assert.equal(result.findings.length, many);
});
