import assert from "node:assert/strict";
import { test } from "node:test";

import { parseHbaText } from "../../parse/index.js";
import type { LintContext } from "../lint-rule.js";
import { lintRules } from "../run-lint.js";
import { superuserWithoutCert } from "./superuser-without-cert.js";

/** The check's message for each line of a pg_hba.conf, or undefined where it stays quiet. */
async function messages(text: string, context: LintContext): Promise<(string | undefined)[]> {
  const { rules, errors } = await parseHbaText(text, "pg_hba.conf");
  assert.deepEqual(errors, [], "the file parses");
  return rules.map((rule) => superuserWithoutCert.check(rule, context)?.message);
}

test("superuser-without-cert: a /regex user that matches a superuser's name, which it names", async () => {
  const found = await messages(
    [
      "hostssl all /^post 10.0.0.0/16 scram-sha-256",
      "hostssl all /^app_ 10.0.0.0/16 scram-sha-256",
      'hostssl all "/_dba$" 10.0.0.0/16 md5',
      "hostssl all /^post 10.0.0.0/16 cert",
    ].join("\n"),
    { superusers: ["postgres", "dbuser_dba"] },
  );
  assert.equal(found[0], "postgres (matched by /^post) from 10.0.0.0/16 with scram-sha-256");
  assert.equal(found[1], undefined, "a pattern no superuser's name matches");
  assert.equal(
    found[2],
    "dbuser_dba (matched by /_dba$) from 10.0.0.0/16 with md5",
    "quoted, a / token is still a pattern (how a pattern holds a comma)",
  );
  assert.equal(found[3], undefined, "cert is what the check asks for");
});

test("superuser-without-cert: a +group that a superuser is a member of, when the inventory says so", async () => {
  const text = [
    "hostssl all +dbrole_readonly 10.0.0.0/16 scram-sha-256",
    "hostssl all +dbrole_app 10.0.0.0/16 scram-sha-256",
    "hostssl all +postgres 10.0.0.0/16 scram-sha-256",
  ].join("\n");
  const known = await messages(text, {
    superusers: ["postgres", "dbuser_dba"],
    superuserMemberOf: { dbuser_dba: ["dbrole_admin", "dbrole_readwrite", "dbrole_readonly"] },
  });
  assert.equal(known[0], "dbuser_dba (member of dbrole_readonly) from 10.0.0.0/16 with scram-sha-256");
  assert.equal(known[1], undefined, "no superuser is a member of dbrole_app");
  assert.equal(
    known[2],
    "postgres (member of postgres) from 10.0.0.0/16 with scram-sha-256",
    "a role is a member of itself",
  );
  const unknown = await messages(text, { superusers: ["postgres", "dbuser_dba"] });
  assert.deepEqual(unknown.slice(0, 2), [undefined, undefined], "memberships unknown: no guess");
  assert.match(unknown[2] ?? "", /^postgres \(member of postgres\)/, "that one needs no memberships");
});

test('superuser-without-cert: names as before, a quoted "all" is a role named all, each superuser once', async () => {
  const found = await messages(
    [
      'hostssl all postgres,/^post,"postgres" 10.0.0.0/16 scram-sha-256',
      'hostssl all "all" 10.0.0.0/16 scram-sha-256',
      "hostssl all all 10.0.0.0/16 scram-sha-256",
      "hostssl all +all 10.0.0.0/16 scram-sha-256",
    ].join("\n"),
    { superusers: ["postgres"] },
  );
  assert.equal(found[0], "postgres from 10.0.0.0/16 with scram-sha-256");
  assert.equal(found[1], undefined);
  assert.equal(found[2], "all roles, superusers included from 10.0.0.0/16 with scram-sha-256");
  assert.equal(found[3], undefined, "+all is the members of a role named all");
});

test("superuser-without-cert: a superuser an earlier rule always takes first is not reported on the later rule (PostgreSQL never falls through)", async () => {
  const text = [
    "host all dbuser_dba 10.0.0.0/8 scram-sha-256",
    "hostssl all dbuser_dba 0.0.0.0/0 scram-sha-256",
    "host all +dbrole_readonly 10.0.0.0/8 scram-sha-256",
    "host all +dbrole_readonly 172.16.0.0/12 scram-sha-256",
    "hostssl all +dbrole_readonly 172.16.0.0/12 scram-sha-256",
    "host replication +dbrole_readonly 10.1.0.0/16 scram-sha-256",
    "host app +dbrole_readonly 10.1.0.0/16 scram-sha-256",
  ].join("\n");
  const { rules } = await parseHbaText(text, "pg_hba.conf");
  const context: LintContext = { superusers: ["dbuser_dba"], superuserMemberOf: { dbuser_dba: ["dbrole_readonly"] } };
  const found = rules.map((rule, index) => superuserWithoutCert.check(rule, context, { rules, index })?.message);
  assert.equal(found[0], "dbuser_dba from 10.0.0.0/8 with scram-sha-256");
  assert.equal(found[1], "dbuser_dba from 0.0.0.0/0 with scram-sha-256");
  assert.equal(found[2], undefined, "line 1 takes dbuser_dba from 10/8 first, for every database");
  assert.equal(
    found[3],
    "dbuser_dba (member of dbrole_readonly) from 172.16.0.0/12 with scram-sha-256",
    "a hostssl line does not take a non-TLS session first",
  );
  assert.equal(found[4], undefined, "line 2 (hostssl, the world) takes it first");
  assert.equal(
    found[5],
    "dbuser_dba (member of dbrole_readonly) from 10.1.0.0/16 with scram-sha-256",
    "all does not match replication, so line 1 does not take it",
  );
  assert.equal(found[6], undefined, "a database all includes takes it first");
  // And lint runs the check with each rule's place in the file.
  const lintIds = lintRules(rules, context)
    .findings.filter((finding) => finding.id === "superuser-without-cert")
    .map((finding) => finding.source.line);
  assert.deepEqual(lintIds, [1, 2, 4, 6]);
});
