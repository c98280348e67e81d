import assert from "node:assert/strict";
import { test } from "node:test";

import { draftsOnFacts, type LiteralFact, role } from "../../../../test/support/literal-facts.js";
import { type StoredRole } from "../../../roles/audit/stored-role.js";
import { md5Secret } from "../../../roles/md5.js";
import { scramVerifier } from "../../../roles/scram.js";
import { type AuditCheck } from "../../audit-check.js";
import { LIVE_GUESS_BUDGET, liveAuditGuesses, liveAuditPlan, passwordAuditFact } from "../../facts/password-audit.js";
import { type DeclaredExpiry, declaredExpiryFact } from "../../facts/password-declared-expiry.js";
import { rolesFact } from "../../facts/roles.js";
import { type Setting, settingsFact } from "../../facts/settings.js";
import { expiredPassword } from "./expired-password.js";
import { PASSWORD_CHECKS } from "./index.js";
import { lowIterations } from "./low-iterations.js";
import { md5Verifiers } from "./md5-verifiers.js";
import { noExpiry } from "./no-expiry.js";
import { noStrengthCheck } from "./no-strength-check.js";
import { weakPassword } from "./weak-password.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const FUTURE = new Date("2027-06-01T00:00:00Z");

const run = (check: AuditCheck, facts: readonly LiteralFact[]) => draftsOnFacts(check, facts, NOW);

const stored = (name: string, secret: string | null, given: Partial<StoredRole> = {}): StoredRole => ({
  name,
  secret,
  canLogin: true,
  superuser: false,
  validUntil: FUTURE,
  ...given,
});

/** The fact's verdicts (the engine with the live audit's guesses) on literal pg_authid rows, as the checks get them. */
function engineReport(roles: readonly StoredRole[]) {
  const source = { kind: "server", now: NOW, get: () => Promise.resolve(roles) };
  return passwordAuditFact.collect(source as unknown as Parameters<typeof passwordAuditFact.collect>[0]);
}

const STRONG = "k3#Vq9!mZ-long-and-random";

test("weak-password: a Pigsty default, a role-name variant and a common password are found, one finding per role, never the password", async () => {
  const report = await engineReport([
    stored("dbuser_dba", scramVerifier("DBUser.DBA")),
    stored("dbuser_app", scramVerifier("dbuser_app123")),
    stored("reporter", md5Secret("qwerty", "reporter")),
    stored("strong", scramVerifier(STRONG)),
    stored("nopass", null),
  ]);
  const drafts = await run(weakPassword, [[passwordAuditFact, report]]);
  assert.deepEqual(
    drafts.map((draft) => draft.subject),
    ["dbuser_app", "dbuser_dba", "reporter"],
  );
  assert.match(drafts.find((draft) => draft.subject === "dbuser_dba")?.message ?? "", /vendor default/);
  assert.match(drafts.find((draft) => draft.subject === "dbuser_app")?.message ?? "", /role name/);
  const text = JSON.stringify(drafts);
  for (const secret of ["DBUser.DBA", "dbuser_app123", "qwerty"]) assert.ok(!text.includes(secret), secret);
  assert.match(
    drafts[0]?.fix ?? "",
    /^pgwarden password hash --user dbuser_app < new-password.txt .*ALTER ROLE "dbuser_app" PASSWORD '<verifier>';$/,
  );
});

test("weak-password: the live guesses are bounded (vendor defaults, a dozen common ones, 10 name variants) and hold Pigsty's defaults", () => {
  const guesses = liveAuditGuesses();
  assert.ok(guesses.length <= 50, `${guesses.length} guesses`);
  for (const pigsty of ["DBUser.DBA", "DBUser.Monitor", "DBUser.Replicator", "Patroni.API"])
    assert.ok(
      guesses.some((guess) => guess.text === pigsty && guess.origin === "vendor-default"),
      pigsty,
    );
  assert.equal(new Set(guesses.map((guess) => guess.text)).size, guesses.length);
});

test("md5-verifiers, low-iterations and expired-password: one finding per role of the engine's kind; silent on SCRAM at 4096", async () => {
  const report = await engineReport([
    stored("legacy", md5Secret(STRONG, "legacy")),
    stored("fast", scramVerifier(STRONG, { iterations: 1024 })),
    stored("gone", scramVerifier(STRONG), { validUntil: new Date("2026-01-01T00:00:00Z") }),
    stored("gone_nologin", scramVerifier(STRONG), { validUntil: new Date("2026-01-01T00:00:00Z"), canLogin: false }),
    stored("sound", scramVerifier(STRONG)),
  ]);
  const md5 = await run(md5Verifiers, [[passwordAuditFact, report]]);
  assert.deepEqual(
    md5.map((draft) => [draft.subject, draft.evidence[0]?.value]),
    [["legacy", "LOGIN, secret md5"]],
  );
  assert.deepEqual(
    (await run(lowIterations, [[passwordAuditFact, report]])).map((draft) => draft.subject),
    ["fast"],
  );
  const expired = await run(expiredPassword, [[passwordAuditFact, report]]);
  assert.deepEqual(
    expired.map((draft) => draft.subject),
    ["gone"],
  );
  assert.match(expired[0]?.fix ?? "", /^ALTER ROLE "gone" NOLOGIN;/);
  assert.deepEqual(await run(weakPassword, [[passwordAuditFact, report]]), []);
  // Bounded: each of the four secrets is tried with the shared guesses and at most 10 of its name's variants.
  assert.ok(report.guessesTried <= 5 * (liveAuditGuesses().length + 10), `${report.guessesTried} guesses`);
  assert.ok(report.guessesTried >= 4 * liveAuditGuesses().length, `${report.guessesTried} guesses`);
});

test("no-expiry: login roles the inventory gives expire_in or expire_at but the server never expires; the fix has the date", async () => {
  const inventory = { file: "/srv/pigsty.yml", line: 40 };
  const declared: DeclaredExpiry[] = [
    { role: "dbuser_app", expiry: { inDays: 30 }, source: inventory },
    { role: "dbuser_report", expiry: { at: "2027-03-01" } },
    { role: "dbuser_set", expiry: { inDays: 30 } },
    { role: "dbrole_group", expiry: { inDays: 30 } },
  ];
  const drafts = await run(noExpiry, [
    [
      rolesFact,
      [
        role("dbuser_app"),
        role("dbuser_report"),
        role("dbuser_set", { validUntil: "2027-01-01T00:00:00.000Z" }),
        role("dbrole_group", { login: false }),
        role("dbuser_free"),
      ],
    ],
    [declaredExpiryFact, declared],
  ]);
  assert.deepEqual(
    drafts.map((draft) => [draft.subject, draft.fix]),
    [
      ["dbuser_app", `ALTER ROLE "dbuser_app" VALID UNTIL '2026-12-31'; -- or pgwarden role apply with the inventory`],
      [
        "dbuser_report",
        `ALTER ROLE "dbuser_report" VALID UNTIL '2027-03-01'; -- or pgwarden role apply with the inventory`,
      ],
    ],
  );
  assert.deepEqual(drafts[0]?.evidence[1], { label: "inventory", value: "expire_in: 30", source: inventory });
});

function preload(value: string): Map<string, Setting> {
  return new Map([
    [
      "shared_preload_libraries",
      {
        name: "shared_preload_libraries",
        value,
        source: value === "" ? "default" : "configuration file",
        pendingRestart: false,
      },
    ],
  ]);
}

test("no-strength-check: fires unless passwordcheck or credcheck is preloaded; the fix keeps what is loaded", async () => {
  const [draft] = await run(noStrengthCheck, [[settingsFact, preload("")]]);
  assert.ok(draft);
  assert.match(
    draft.fix ?? "",
    /^ALTER SYSTEM SET shared_preload_libraries = 'pgaudit', 'passwordcheck', 'auth_delay'; -- then restart/,
  );
  const [kept] = await run(noStrengthCheck, [[settingsFact, preload("pg_stat_statements, auth_delay")]]);
  assert.match(kept?.fix ?? "", /= 'pg_stat_statements', 'auth_delay', 'pgaudit', 'passwordcheck';/);
  assert.deepEqual(await run(noStrengthCheck, [[settingsFact, preload("auth_delay,passwordcheck")]]), []);
  assert.deepEqual(await run(noStrengthCheck, [[settingsFact, preload('"$libdir/credcheck"')]]), []);
});

test("every password check has a family id, the authentication layer, a why and a fix", () => {
  assert.equal(new Set(PASSWORD_CHECKS.map((check) => check.id)).size, PASSWORD_CHECKS.length);
  for (const check of PASSWORD_CHECKS) {
    assert.match(check.id, /^passwords\/[a-z0-9-]+$/);
    assert.equal(check.layer, "authentication");
    assert.ok(check.why.length > 40 && check.fix.length > 10, check.id);
  }
});

test("weak-password, 200 SCRAM roles: the live search stays within its budget, yet finds a role's own name, its vendor default and 123456", async () => {
  const roles = Array.from({ length: 197 }, (_, index) =>
    stored(`app_${index}`, scramVerifier(STRONG, { iterations: 16 })),
  );
  roles.push(
    stored("dbuser_dba", scramVerifier("DBUser.DBA", { iterations: 16 })),
    stored("app_named", scramVerifier("app_named", { iterations: 16 })),
    stored("app_common", scramVerifier("123456", { iterations: 16 })),
  );
  const plan = liveAuditPlan(roles);
  // Before the bound every role got every live guess: 200 x ~60, some 12,000 PBKDF2 of 4096 rounds (~13 s).
  const report = await engineReport(roles);
  assert.ok(report.guessesTried <= LIVE_GUESS_BUDGET, `${report.guessesTried} guesses`);
  assert.equal(plan.roleNameGuesses, 1);
  assert.deepEqual(
    report.findings
      .filter((finding) => finding.id === "weak-password")
      .map((finding) => finding.role)
      .sort(),
    ["app_common", "app_named", "dbuser_dba"],
  );
  // Few roles: every live guess for each.
  assert.equal(liveAuditPlan(roles.slice(0, 5)).sharedGuesses?.length, liveAuditGuesses().length);
});
