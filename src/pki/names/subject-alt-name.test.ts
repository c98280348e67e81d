import assert from "node:assert/strict";
import { test } from "node:test";

import { PgwardenError } from "../../core/errors.js";
import { formatSubjectAltName, parseSubjectAltName } from "./subject-alt-name.js";

function rejects(input: string, pattern: RegExp, options = {}) {
  assert.throws(
    () => parseSubjectAltName(input, options),
    (error: unknown) => error instanceof PgwardenError && error.exitCode === 2 && pattern.test(error.message),
    `expected ${JSON.stringify(input)} to be refused with ${pattern}`,
  );
}

test("DNS names are told apart from IPv4 and IPv6 addresses and normalised", () => {
  assert.deepEqual(parseSubjectAltName("DB-1.Example.com"), { type: "dns", value: "db-1.example.com" });
  assert.deepEqual(parseSubjectAltName("localhost"), { type: "dns", value: "localhost" });
  assert.deepEqual(parseSubjectAltName("10.10.10.10"), { type: "ip", value: "10.10.10.10" });
  assert.deepEqual(parseSubjectAltName("::1"), { type: "ip", value: "::1" });
  assert.deepEqual(parseSubjectAltName("[2001:DB8:0:0::1]"), { type: "ip", value: "2001:db8::1" });
  assert.deepEqual(parseSubjectAltName("IP:127.0.0.1"), { type: "ip", value: "127.0.0.1" });
  assert.deepEqual(parseSubjectAltName("DNS:pg-meta"), { type: "dns", value: "pg-meta" });
  assert.equal(formatSubjectAltName({ type: "ip", value: "::1" }), "IP:::1");
});

test("addresses that are not addresses are refused, not taken for DNS names", () => {
  rejects("999.1.1.1", /not a valid IPv4 address/);
  rejects("1.2.3", /not a valid IPv4 address/);
  rejects("01.2.3.4", /not a valid IPv4 address/);
  rejects("2001:db8::zz", /not a valid IPv6 address/);
  rejects("fe80::1%eth0", /not a valid IPv6 address/);
  rejects("IP:db.example.com", /not a valid IPv4 address/);
});

test("names that are not DNS names are refused with the reason", () => {
  rejects("db..example.com", /empty label/);
  rejects("-db.example.com", /inner hyphens/);
  rejects("db_1.example.com", /inner hyphens/);
  rejects(`${"a".repeat(64)}.example.com`, /longer than 63/);
  rejects(`${"a.".repeat(127)}com`, /longer than 253/);
  rejects("db.123", /last label is numeric/);
  rejects("", /empty/);
});

test("dangerous characters are named", () => {
  rejects("db\n.example.com", /newline/);
  rejects("db\0", /NUL/);
  rejects("db'x", /quote/);
  rejects('db"x', /quote/);
  rejects("db/x", /slash/);
  rejects("db x", /white space/);
});

test("wildcards need --allow-wildcard and only as the leftmost label", () => {
  rejects("*.db.example.com", /--allow-wildcard/);
  assert.deepEqual(parseSubjectAltName("*.db.example.com", { allowWildcard: true }), {
    type: "dns",
    value: "*.db.example.com",
  });
  rejects("db.*.example.com", /inner hyphens/, { allowWildcard: true });
  rejects("*", /inner hyphens/, { allowWildcard: true });
});
