import assert from "node:assert/strict";
import { test } from "node:test";

import { hasOpenQuote, tokenizeField } from "../../config/hba-rules/field.js";
import { formatHbaLine } from "./format.js";

test("lines are laid out in Pigsty's columns, byte for byte", () => {
  // As pgsty/pigsty roles/pgsql/templates/pg_hba.conf writes them (see test/fixtures/pigsty/*.conf).
  assert.equal(
    formatHbaLine("local", "all", "postgres", undefined, "ident"),
    "local    all                postgres                              ident",
  );
  assert.equal(
    formatHbaLine("host", "replication", "replicator", "127.0.0.1/32", "scram-sha-256"),
    "host     replication        replicator         127.0.0.1/32       scram-sha-256",
  );
  assert.equal(
    formatHbaLine("hostssl", "all", "dbuser_dba", "::/0", "cert"),
    "hostssl  all                dbuser_dba         ::/0               cert",
  );
  assert.equal(
    formatHbaLine("hostssl", "all", "a_user_name_longer_than_18", "10.0.0.0/8", "md5", { clientcert: "verify-full" }),
    "hostssl  all                a_user_name_longer_than_18 10.0.0.0/8         md5 clientcert=verify-full",
  );
});

test("fields split on commas outside quotes, and quoted tokens are marked", () => {
  assert.deepEqual(tokenizeField("all"), [{ value: "all", quoted: false }]);
  assert.deepEqual(tokenizeField('app,"all","a,b"'), [
    { value: "app", quoted: false },
    { value: "all", quoted: true },
    { value: "a,b", quoted: true },
  ]);
});

test('fields are read as PostgreSQL\'s next_token reads them: "" inside quotes is one quote, quoted means a quote came first', () => {
  assert.deepEqual(tokenizeField('"o""brien"'), [{ value: 'o"brien', quoted: true }]);
  assert.deepEqual(tokenizeField('"say ""hi""",x'), [
    { value: 'say "hi"', quoted: true },
    { value: "x", quoted: false },
  ]);
  assert.deepEqual(
    tokenizeField('+"my group"'),
    [{ value: "+my group", quoted: false }],
    "a group name may be quoted after the +",
  );
  assert.deepEqual(tokenizeField('""'), [{ value: "", quoted: true }], "an empty quoted name is a token");
  assert.deepEqual(tokenizeField("a,,b"), [
    { value: "a", quoted: false },
    { value: "b", quoted: false },
  ]);
  assert.equal(hasOpenQuote('o"brien'), true);
  assert.equal(hasOpenQuote('"o""brien"'), false);
});
