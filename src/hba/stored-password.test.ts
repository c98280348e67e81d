import assert from "node:assert/strict";
import { test } from "node:test";

import { type StoredPassword, storedPasswordProblem } from "./stored-password.js";

/** PostgreSQL 15's table (auth.c CheckPWChallengeAuth, crypt.c get_role_password): which stored password each method can check. */
const TABLE: readonly { method: string; stored: StoredPassword; refuses: RegExp | undefined }[] = [
  { method: "scram-sha-256", stored: { kind: "scram" }, refuses: undefined },
  {
    method: "scram-sha-256",
    stored: { kind: "md5" },
    refuses: /alice's password is stored as MD5, so scram-sha-256 refuses it/,
  },
  { method: "md5", stored: { kind: "scram" }, refuses: undefined },
  { method: "md5", stored: { kind: "md5" }, refuses: undefined },
  { method: "password", stored: { kind: "md5" }, refuses: undefined },
  { method: "password", stored: { kind: "scram" }, refuses: undefined },
  { method: "scram-sha-256", stored: { kind: "none" }, refuses: /alice has no password, so scram-sha-256 refuses it/ },
  { method: "password", stored: { kind: "none" }, refuses: /alice has no password/ },
  {
    method: "md5",
    stored: { kind: "md5", expired: true, validUntil: "2000-01-01 00:00:00+00" },
    refuses: /expired \(VALID UNTIL 2000-01-01 00:00:00\+00\), so md5 refuses it/,
  },
  { method: "scram-sha-256", stored: { expired: true }, refuses: /expired/ },
  { method: "scram-sha-256", stored: { expired: false }, refuses: undefined },
  // VALID UNTIL and the stored password only matter to the password methods.
  { method: "cert", stored: { kind: "none", expired: true }, refuses: undefined },
  { method: "trust", stored: { kind: "md5", expired: true }, refuses: undefined },
  { method: "peer", stored: { kind: "none" }, refuses: undefined },
];

test("a stored password refuses a password method as PostgreSQL 15 does; other methods never look at it", () => {
  for (const row of TABLE) {
    const problem = storedPasswordProblem(row.method, "alice", row.stored);
    const label = `${row.method} with ${JSON.stringify(row.stored)}`;
    if (row.refuses === undefined) assert.equal(problem, undefined, label);
    else assert.match(problem ?? "", row.refuses, label);
  }
});
