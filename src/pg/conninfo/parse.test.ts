import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { parseConninfo } from "./parse.js";

const keywords = (text: string) => Object.fromEntries(parseConninfo(text, "--conn").keywords);
const usage = (pattern: RegExp) => (error: unknown) =>
  error instanceof PgwardenError && error.exitCode === 2 && pattern.test(error.message);

test("keyword=value: whitespace around =, single quotes, backslash escapes, a later keyword overriding an earlier one (libpq's conninfo_parse)", () => {
  assert.deepEqual(keywords("host = db1   port=5433\tdbname='my db' user=a\\ b"), {
    host: "db1",
    port: "5433",
    dbname: "my db",
    user: "a b",
  });
  assert.deepEqual(keywords("dbname='it\\'s' application_name=x\\\\y"), { dbname: "it's", application_name: "x\\y" });
  assert.deepEqual(keywords("dbname='' host=a host=b"), { dbname: "", host: "b" });
  assert.deepEqual(
    keywords("dbname='a'host=b"),
    { dbname: "a", host: "b" },
    "a closing quote ends the value even without a space",
  );
  assert.deepEqual(keywords("requiressl=1"), { sslmode: "require" }, "libpq's deprecated requiressl");
  assert.throws(() => keywords("dbname='open"), usage(/unterminated quoted string/));
  assert.throws(() => keywords("host db1 port=1"), usage(/missing "=" after "host"/));
});

test("URI: user, IPv6 host in brackets, port, percent-decoded parts, query parameters overriding the authority, ssl=true (libpq's conninfo_uri_parse_options)", () => {
  assert.deepEqual(keywords("postgresql://alice@[::1]:5433/my%20db?sslmode=verify-full&application_name=a%26b"), {
    user: "alice",
    host: "::1",
    port: "5433",
    dbname: "my db",
    sslmode: "verify-full",
    application_name: "a&b",
  });
  assert.deepEqual(
    keywords("postgres://%2Fvar%2Frun%2Fpostgresql/db"),
    { host: "/var/run/postgresql", dbname: "db" },
    "a socket directory as the host",
  );
  assert.deepEqual(
    keywords("postgresql:///db?host=/tmp&port=5444"),
    { dbname: "db", host: "/tmp", port: "5444" },
    "the socket directory as ?host=",
  );
  assert.deepEqual(
    keywords("postgresql://h/db?host=other"),
    { host: "other", dbname: "db" },
    "a query parameter overrides the authority",
  );
  assert.deepEqual(
    keywords("postgresql://h?ssl=true&"),
    { host: "h", sslmode: "require" },
    "JDBC's ssl=true; a trailing & is nothing",
  );
  assert.deepEqual(keywords("postgresql://"), {});
  assert.deepEqual(keywords("postgresql://a+b@h"), { user: "a+b", host: "h" }, "no + for space, unlike HTML forms");
  assert.deepEqual(
    keywords("postgresql://u:pw@h")["password"],
    "pw",
    "the parser reads a password; resolution refuses it",
  );
});

test("URI mistakes are refused in libpq's words, never echoing the URI", () => {
  assert.throws(() => keywords("postgresql://[::1/db"), usage(/looking for the "\]" closing an IPv6 host address/));
  assert.throws(() => keywords("postgresql://[]/db"), usage(/IPv6 host address may not be empty/));
  assert.throws(() => keywords("postgresql://[::1]x/db"), usage(/unexpected character "x"/));
  assert.throws(
    () => keywords("postgresql://h/db?a"),
    usage(/missing key\/value separator "=" in the URI query parameter "a"/),
  );
  assert.throws(() => keywords("postgresql://h/db?a=b=c"), usage(/extra key\/value separator "="/));
  assert.throws(() => keywords("postgresql://h/db?dbname=%4"), usage(/invalid percent-encoded token/));
  assert.throws(() => keywords("postgresql://h/db%00x"), usage(/forbidden value %00/));
  assert.throws(() => keywords("postgresql://h/db?foo=1"), usage(/invalid connection option "foo"/));
});

test("an unknown keyword is refused naming it, with the keyword meant when it is a near miss", () => {
  assert.throws(() => keywords("sslmod=require"), usage(/invalid connection option "sslmod": did you mean sslmode\?/));
  assert.throws(() => keywords("sslrootcrt=/x"), usage(/did you mean sslrootcert\?/));
  assert.throws(
    () => keywords("databse=x"),
    usage(/invalid connection option "databse": see https:/),
    "too far from dbname to guess",
  );
  assert.throws(() => keywords("usr=x"), usage(/did you mean user\?/));
});

test("a bare absolute path is a socket directory; any other bare word is refused (psql would take it for a database name)", () => {
  assert.deepEqual(parseConninfo("/var/run/postgresql", "--conn"), {
    form: "socket-directory",
    keywords: new Map([["host", "/var/run/postgresql"]]),
  });
  assert.throws(() => keywords("mydb"), usage(/is not a connection string/));
  assert.throws(() => keywords("host=a\0b"), usage(/NUL byte/));
});
