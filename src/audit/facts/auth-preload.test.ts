import assert from "node:assert/strict";
import { test } from "node:test";

import { type AuditCheck, type CheckContext, type FindingDraft } from "../audit-check.js";
import { authDelay } from "../checks/authentication/auth-delay.js";
import { pgauditAbsent } from "../checks/logging/pgaudit-absent.js";
import { noStrengthCheck } from "../checks/passwords/no-strength-check.js";
import { missingPreloads, preloadFix } from "./auth-preload.js";
import { type Settings } from "./settings.js";

function settingsOf(values: Readonly<Record<string, string>>): Settings {
  return new Map(
    Object.entries(values).map(([name, value]) => [
      name,
      { name, value, source: "configuration file", pendingRestart: false },
    ]),
  );
}

async function fixOf(check: AuditCheck, settings: Settings): Promise<string | undefined> {
  const context: CheckContext = {
    now: new Date("2026-12-01T12:00:00Z"),
    target: "127.0.0.1:5432",
    fact: <T>() => settings as T,
    optional: () => undefined,
    sawCertificate: () => undefined,
  };
  const drafts = (await check.run(context)) as FindingDraft[];
  return drafts.find((draft) => draft.subject === "shared_preload_libraries" || draft.subject === "auth_delay")?.fix;
}

/** The ALTER SYSTEM statement a fix starts with (auth-delay's starts with a LOAD). */
const preloadStatement = (fix: string | undefined) =>
  /ALTER SYSTEM SET shared_preload_libraries = [^;]*;/.exec(fix ?? "")?.[0];

test("the three preload fixes print one statement in list form: what is loaded, then every library missing", async () => {
  const settings = settingsOf({ shared_preload_libraries: 'pg_stat_statements, "$libdir/auto_explain"' });
  const expected =
    "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', '$libdir/auto_explain', 'pgaudit', 'passwordcheck', 'auth_delay';";
  assert.equal(preloadFix(settings), expected);
  for (const check of [pgauditAbsent, noStrengthCheck, authDelay])
    assert.equal(preloadStatement(await fixOf(check, settings)), expected, check.id);
});

test("a library already loaded, or made unneeded by credcheck, is not asked for again", () => {
  assert.deepEqual(missingPreloads(settingsOf({ shared_preload_libraries: "pgaudit.so,passwordcheck" })), [
    "auth_delay",
  ]);
  assert.deepEqual(missingPreloads(settingsOf({ shared_preload_libraries: "credcheck" })), ["pgaudit", "auth_delay"]);
  assert.deepEqual(
    missingPreloads(settingsOf({ shared_preload_libraries: "credcheck", "credcheck.auth_delay_ms": "200" })),
    ["pgaudit"],
  );
  assert.equal(
    preloadFix(settingsOf({ shared_preload_libraries: "" })),
    "ALTER SYSTEM SET shared_preload_libraries = 'pgaudit', 'passwordcheck', 'auth_delay';",
  );
});

test("a library name with a quote is written as a literal of its own", () => {
  assert.equal(
    preloadFix(settingsOf({ shared_preload_libraries: "o'dd, pgaudit, passwordcheck, auth_delay" })),
    "ALTER SYSTEM SET shared_preload_libraries = 'o''dd', 'pgaudit', 'passwordcheck', 'auth_delay';",
  );
});
