import assert from "node:assert/strict";
import { test } from "node:test";

import type { PasswordAuditReport, RoleSummary } from "../../../roles/audit/audit-passwords.js";
import { noValidUntil } from "../../../roles/audit/checks/no-valid-until.js";
import { weakPassword } from "../../../roles/audit/checks/weak-password.js";
import type { PasswordFinding } from "../../../roles/audit/password-finding.js";
import { auditText } from "./audit-text.js";

const role = (name: string): RoleSummary => ({
  name,
  login: true,
  superuser: false,
  secret: "scram",
  iterations: 4096,
  validUntil: null,
});
const weak = (name: string, password?: string): PasswordFinding => ({
  id: weakPassword.id,
  severity: weakPassword.severity,
  role: name,
  message: "the password is one of the most common passwords",
  why: weakPassword.why,
  fix: `set a strong password: pgwarden password generate, then pgwarden password hash --user ${name} and ALTER ROLE ... PASSWORD '<verifier>'`,
  ...(password === undefined ? {} : { password }),
});
const forever = (name: string): PasswordFinding => ({
  id: noValidUntil.id,
  severity: noValidUntil.severity,
  role: name,
  message: "the password never expires (no VALID UNTIL)",
  why: noValidUntil.why,
  fix: noValidUntil.fix,
});

const report = (findings: PasswordFinding[]): PasswordAuditReport => ({
  roles: ["alice", "bob", "carol"].map(role),
  rolesAudited: 3,
  secretsTested: 3,
  sharedGuesses: 10,
  guessesTried: 30,
  findings,
});

test("each finding is one line; why and fix come once per kind, after the list, whatever the number of roles", () => {
  const text = auditText(report([weak("alice"), forever("alice"), weak("bob"), forever("bob"), forever("carol")]));
  const count = (part: string) => text.split(part).length - 1;
  assert.equal(count(weakPassword.why), 1);
  assert.equal(count(noValidUntil.why), 1);
  assert.equal(count(noValidUntil.fix), 1);
  assert.equal(count(weakPassword.fix), 1, "the general fix once, not each role's");
  assert.equal(count("--user alice"), 0);
  assert.equal(
    text,
    [
      "alice (login, scram-sha-256, 4096 iterations)",
      "  CRITICAL weak-password: the password is one of the most common passwords",
      "  LOW      no-valid-until: the password never expires (no VALID UNTIL)",
      "",
      "bob (login, scram-sha-256, 4096 iterations)",
      "  CRITICAL weak-password: the password is one of the most common passwords",
      "  LOW      no-valid-until: the password never expires (no VALID UNTIL)",
      "",
      "carol (login, scram-sha-256, 4096 iterations)",
      "  LOW      no-valid-until: the password never expires (no VALID UNTIL)",
      "",
      "What each finding means and how to fix it:",
      "  weak-password (critical, guessable password), 2 findings",
      `    why: ${weakPassword.why}`,
      `    fix: ${weakPassword.fix}`,
      "  no-valid-until (low, password without VALID UNTIL), 3 findings",
      `    why: ${noValidUntil.why}`,
      `    fix: ${noValidUntil.fix}`,
      "",
      "3 roles audited, 3 stored secrets tried against their names' variants and 10 shared guesses (30 guesses): 5 findings on 3 roles (2 critical, 3 low)",
    ].join("\n"),
  );
});

test("a fix shared by every finding of a kind is shown as it is; --show puts the password on the finding's line", () => {
  const text = auditText(report([weak("alice", "iloveyou")]));
  assert.match(
    text,
    /^ {2}CRITICAL weak-password: the password is one of the most common passwords; password: iloveyou$/m,
  );
  assert.match(text, /^ {4}fix: .*--user alice/m, "one finding: its own fix");
  assert.equal(auditText(report([])).split("\n").length, 1, "no findings: only the counts");
});
