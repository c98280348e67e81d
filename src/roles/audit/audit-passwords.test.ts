import assert from "node:assert/strict";
import { test } from "node:test";

import { md5Secret } from "../md5.js";
import { scramVerifier } from "../scram.js";
import { auditPasswords } from "./audit-passwords.js";
import type { StoredRole } from "./stored-role.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const LATER = new Date("2027-06-01T00:00:00Z");
const role = (name: string, secret: string | null, extra: Partial<StoredRole> = {}): StoredRole => ({
  name,
  secret,
  canLogin: true,
  superuser: false,
  validUntil: LATER,
  ...extra,
});
const scram = (password: string) => scramVerifier(password, { iterations: 4096 });

const ROLES: StoredRole[] = [
  role("strong_app", scram("Jq7-vR2.xW9_kL4~")),
  role("dbuser_dba", scram("DBUser.DBA"), { superuser: true }),
  role("report", scram("report2026")),
  role("legacy", md5Secret("letmein", "legacy")),
  role("listed", scram("from-my-list")),
  role("pg_monitor", null, { canLogin: false, validUntil: null }),
];

test("the audit: exactly the weak, md5 and planted findings, worst role first, passwords hidden", async () => {
  const report = await auditPasswords(ROLES, { now: NOW, wordlist: ["from-my-list"], workers: 2 });
  assert.deepEqual(
    report.findings.map((finding) => `${finding.role}:${finding.id}`),
    [
      "dbuser_dba:weak-password",
      "legacy:weak-password",
      "legacy:md5-secret",
      "listed:weak-password",
      "report:weak-password",
    ],
  );
  assert.deepEqual(
    report.findings.map((finding) => finding.message.replace(/^the password is /, "")),
    [
      "a vendor default or documented example password",
      "one of the most common passwords",
      "stored as an md5 secret",
      "an entry of the wordlist",
      "a variant of the role name",
    ],
  );
  assert.equal(report.rolesAudited, 6);
  assert.equal(report.secretsTested, 5);
  const text = JSON.stringify(report);
  for (const password of ["DBUser.DBA", "report2026", "letmein", "from-my-list", "Jq7-vR2"])
    assert.ok(!text.includes(password), `${password} is not in the report`);
  assert.deepEqual(
    report.roles.find((summary) => summary.name === "legacy"),
    { name: "legacy", login: true, superuser: false, secret: "md5", validUntil: LATER.toISOString() },
  );
});

test("revealPasswords puts each found password in its own field, and only there", async () => {
  const report = await auditPasswords(ROLES, {
    now: NOW,
    wordlist: ["from-my-list"],
    revealPasswords: true,
    workers: 0,
  });
  const shown = new Map(
    report.findings
      .filter((finding) => finding.password !== undefined)
      .map((finding) => [finding.role, finding.password]),
  );
  assert.deepEqual(Object.fromEntries(shown), {
    dbuser_dba: "DBUser.DBA",
    legacy: "letmein",
    listed: "from-my-list",
    report: "report2026",
  });
  assert.ok(
    report.findings.every((finding) => finding.password === undefined || !finding.message.includes(finding.password)),
  );
});
