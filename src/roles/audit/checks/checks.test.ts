import assert from "node:assert/strict";
import { test } from "node:test";

import { md5Secret as md5Of } from "../../md5.js";
import { scramVerifier } from "../../scram.js";
import type { AuditedRole, CheckContext, PasswordCheck } from "../password-check.js";
import { MINUS_INFINITY_MS, type StoredRole, storedSecret } from "../stored-role.js";
import { PASSWORD_CHECKS } from "./index.js";
import { lowIterations } from "./low-iterations.js";
import { md5Secret } from "./md5-secret.js";
import { noPassword } from "./no-password.js";
import { noValidUntil } from "./no-valid-until.js";
import { validUntilPast } from "./valid-until-past.js";
import { weakPassword } from "./weak-password.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const FUTURE = new Date("2027-06-01T00:00:00Z");
const context: CheckContext = { now: NOW, revealPasswords: false };
const SCRAM = scramVerifier("a-strong-one", { iterations: 4096 });

function audited(role: Partial<StoredRole>, cracked?: AuditedRole["cracked"]): AuditedRole {
  const full: StoredRole = {
    name: "app",
    secret: SCRAM,
    canLogin: true,
    superuser: false,
    validUntil: FUTURE,
    ...role,
  };
  return { role: full, secret: storedSecret(full), ...(cracked ? { cracked } : {}) };
}
const fires = (check: PasswordCheck, role: AuditedRole, ctx = context) => check.check(role, ctx) !== undefined;

test("a sound role (SCRAM at 4096, login, expiring) has no findings at all", () => {
  assert.deepEqual(
    PASSWORD_CHECKS.filter((check) => fires(check, audited({}))).map((check) => check.id),
    [],
  );
});

test("weak-password: says what kind of guess it was; the password only when asked for, and never in the message", () => {
  const role = audited({}, { text: "DBUser.DBA", origin: "vendor-default" });
  const hidden = weakPassword.check(role, context)!;
  assert.match(hidden.message, /vendor default/);
  assert.equal(hidden.password, undefined);
  assert.doesNotMatch(JSON.stringify(hidden), /DBUser\.DBA/);
  const shown = weakPassword.check(role, { ...context, revealPasswords: true })!;
  assert.equal(shown.password, "DBUser.DBA");
  assert.doesNotMatch(shown.message + shown.fix, /DBUser\.DBA/);
  assert.equal(weakPassword.severity, "critical");
  assert.equal(fires(weakPassword, audited({})), false);
});

test("md5-secret and low-iterations look at the kind of secret", () => {
  assert.equal(fires(md5Secret, audited({ secret: md5Of("x", "app") })), true);
  assert.equal(fires(md5Secret, audited({})), false);
  assert.equal(fires(lowIterations, audited({ secret: scramVerifier("x", { iterations: 4095 }) })), true);
  assert.match(
    lowIterations.check(audited({ secret: scramVerifier("x", { iterations: 1000 }) }), context)!.message,
    /1000 iterations/,
  );
  assert.equal(fires(lowIterations, audited({})), false);
  assert.equal(fires(lowIterations, audited({ secret: md5Of("x", "app") })), false);
  assert.deepEqual([md5Secret.severity, lowIterations.severity], ["high", "medium"]);
});

test("no-password: login roles only; its advice allows for certificate- and peer-only roles", () => {
  assert.equal(fires(noPassword, audited({ secret: null })), true);
  assert.equal(fires(noPassword, audited({ secret: null, canLogin: false })), false, "group roles need none");
  assert.equal(fires(noPassword, audited({})), false);
  assert.match(noPassword.fix, /client certificate or peer authentication/);
  assert.match(noPassword.check(audited({ secret: null, superuser: true }), context)!.message, /superuser/);
  assert.equal(noPassword.severity, "medium");
});

test("valid-until-past and no-valid-until: login roles with a password, judged against the clock", () => {
  assert.equal(fires(validUntilPast, audited({ validUntil: new Date("2026-11-01T00:00:00Z") })), true);
  assert.match(
    validUntilPast.check(audited({ validUntil: new Date("2026-11-01T00:00:00Z") }), context)!.message,
    /30 days ago/,
  );
  assert.match(
    validUntilPast.check(audited({ validUntil: new Date(MINUS_INFINITY_MS) }), context)!.message,
    /-infinity/,
  );
  assert.equal(fires(validUntilPast, audited({})), false);
  assert.equal(
    fires(validUntilPast, audited({ validUntil: FUTURE }), { ...context, now: new Date("2028-01-01") }),
    true,
    "the clock decides",
  );
  assert.equal(fires(validUntilPast, audited({ validUntil: new Date("2020-01-01"), canLogin: false })), false);
  assert.equal(fires(validUntilPast, audited({ validUntil: new Date("2020-01-01"), secret: null })), false);
  assert.equal(fires(noValidUntil, audited({ validUntil: null })), true);
  assert.equal(fires(noValidUntil, audited({ validUntil: null, secret: null })), false);
  assert.equal(fires(noValidUntil, audited({ validUntil: null, canLogin: false })), false);
  assert.deepEqual([validUntilPast.severity, noValidUntil.severity], ["high", "low"]);
});

test("every check has an id, a title and a why; ids are unique", () => {
  assert.equal(new Set(PASSWORD_CHECKS.map((check) => check.id)).size, PASSWORD_CHECKS.length);
  assert.ok(PASSWORD_CHECKS.every((check) => check.id && check.title && check.why.length > 20));
});
