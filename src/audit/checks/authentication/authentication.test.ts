import assert from "node:assert/strict";
import { test } from "node:test";

import { draftsOnFacts, type LiteralFact, role } from "../../../../test/support/literal-facts.js";
import { type LintContext } from "../../../hba/lint/lint-rule.js";
import { lintRules } from "../../../hba/lint/run-lint.js";
import { type HbaFile } from "../../../hba/model.js";
import { parseHbaText } from "../../../hba/parse/parse-hba.js";
import { type AuditCheck } from "../../audit-check.js";
import { authLintContextFact } from "../../facts/auth-lint-context.js";
import { hbaRulesFact } from "../../facts/hba-rules.js";
import { rolesFact } from "../../facts/roles.js";
import { servedTlsFact } from "../../facts/served-tls.js";
import { type Setting, type Settings, settingsFact } from "../../facts/settings.js";
import { authDelay } from "./auth-delay.js";
import { authenticationTimeout } from "./authentication-timeout.js";
import { connectionLimits } from "./connection-limits.js";
import { hbaLint } from "./hba-lint.js";
import { AUTHENTICATION_CHECKS } from "./index.js";
import { passwordEncryption } from "./password-encryption.js";
import { trustOnHost } from "./trust-on-host.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const CONF = "/var/lib/postgresql/15/main/postgresql.conf";

/** Settings as pg_settings gives them; a value from a file carries the file's line. */
function settings(values: Record<string, string | { value: string; line: number; unit?: string }>): Settings {
  return new Map(
    Object.entries(values).map(([name, given]): [string, Setting] => {
      const entry = typeof given === "string" ? { value: given } : given;
      return [
        name,
        {
          name,
          value: entry.value,
          ...("unit" in entry && entry.unit ? { unit: entry.unit } : {}),
          source: "line" in entry ? "configuration file" : "default",
          ...("line" in entry ? { file: { file: CONF, line: entry.line } } : {}),
          pendingRestart: false,
        },
      ];
    }),
  );
}

const run = (check: AuditCheck, facts: readonly LiteralFact[]) => draftsOnFacts(check, facts, NOW);

const withSettings = (check: AuditCheck, values: Parameters<typeof settings>[0]) =>
  run(check, [[settingsFact, settings(values)]]);

const HBA = "/var/lib/postgresql/15/main/pg_hba.conf";
const SERVER: LintContext = { superusers: ["postgres"], ssl: true };

async function hbaFile(lines: readonly string[]): Promise<HbaFile> {
  return parseHbaText(`${lines.join("\n")}\n`, HBA, { majorVersion: 15 });
}

test("hba-lint: each lint finding becomes a finding of its own rule, hba/<id>, at the rule's line with its text and fix", async () => {
  const file = await hbaFile([
    "local all postgres peer",
    "host all all 0.0.0.0/0 trust",
    "hostssl app app 10.0.0.0/24 password",
  ]);
  const drafts = await run(hbaLint, [
    [hbaRulesFact, file],
    [authLintContextFact, SERVER],
  ]);
  const lint = lintRules(file.rules, SERVER).findings;
  assert.ok(lint.length >= 3, "the planted rules are risky to lint");
  assert.deepEqual(
    drafts.map((draft) => [draft.id, draft.source?.line, draft.severity, draft.fix]),
    lint.map((finding) => [`hba/${finding.id}`, finding.source.line, finding.severity, finding.fix]),
  );
  const trust = drafts.find((draft) => draft.id === "hba/trust-from-network");
  assert.ok(trust);
  assert.equal(trust.title, "trust over TCP from beyond this host");
  assert.equal(trust.severity, "critical");
  assert.deepEqual(trust.evidence[0], {
    label: "rule",
    value: "host all all 0.0.0.0/0 trust",
    source: { file: HBA, line: 2 },
  });
  assert.equal(
    new Set(drafts.map((draft) => `${draft.id} ${draft.subject}`)).size,
    drafts.length,
    "subjects tell findings apart",
  );
});

test("hba-lint: the server's context counts (a hostssl rule while ssl is off), and a line the server refused is hba/parse-error", async () => {
  const file: HbaFile = {
    ...(await hbaFile(["local all all peer", "hostssl all all 127.0.0.1/32 scram-sha-256"])),
    errors: [{ source: { file: HBA, line: 3 }, message: 'invalid authentication method "scram"' }],
  };
  const drafts = await run(hbaLint, [
    [hbaRulesFact, file],
    [authLintContextFact, { superusers: ["postgres"], ssl: false }],
  ]);
  assert.deepEqual(
    drafts.map((draft) => [draft.id, draft.source?.line]),
    [
      ["hba/parse-error", 3],
      ["hba/hostssl-while-ssl-off", 2],
    ],
  );
  const refused = drafts[0];
  assert.ok(refused);
  assert.match(refused.message, /invalid authentication method/);
  assert.equal(refused.severity, "high");
});

test("hba-lint: while ssl is on but no TLS is served, a fix that moves logins to hostssl or cert says to restore TLS first", async () => {
  const file = await hbaFile(["local all postgres peer", "host app app 10.0.0.0/24 scram-sha-256"]);
  const facts = (served: boolean, ssl: string): LiteralFact[] => [
    [hbaRulesFact, file],
    [authLintContextFact, SERVER],
    [settingsFact, settings({ ssl })],
    [
      servedTlsFact,
      served ? { served: true, host: "h", port: 1, probe: {} } : { served: false, host: "h", port: 1, why: "N" },
    ],
  ];
  const [down] = await run(hbaLint, facts(false, "on"));
  assert.equal(down?.id, "hba/password-without-tls");
  assert.match(
    down?.fix ?? "",
    /^first make the server serve TLS again \(tls\/not-served: it serves none now\), then: .*hostssl/,
  );
  const [served] = await run(hbaLint, facts(true, "on"));
  assert.doesNotMatch(served?.fix ?? "", /^first make the server serve TLS/);
  const [off] = await run(hbaLint, facts(false, "off"));
  assert.doesNotMatch(
    off?.fix ?? "",
    /^first make the server serve TLS/,
    "ssl off: lint's own fix already says to turn it on",
  );
});

test("hba-lint: silent on sound rules (peer locally, SCRAM over TLS from one subnet) and on loopback", async () => {
  const file = await hbaFile([
    "local all postgres peer",
    "hostssl app dbuser_app 10.10.10.0/24 scram-sha-256",
    "host all all 127.0.0.1/32 scram-sha-256",
  ]);
  assert.deepEqual(
    await run(hbaLint, [
      [hbaRulesFact, file],
      [authLintContextFact, SERVER],
    ]),
    [],
  );
});

test("trust-on-host: trust on the socket or loopback fires with the line to put in its place; trust from the network is hba lint's", async () => {
  const file = await hbaFile([
    "local trust all trust",
    "host all app 127.0.0.1/32 trust",
    "host all all 0.0.0.0/0 trust",
    "local all postgres peer",
    "host all all ::1/128 scram-sha-256",
  ]);
  const drafts = await run(trustOnHost, [[hbaRulesFact, file]]);
  assert.deepEqual(
    drafts.map((draft) => [draft.source?.line, draft.fix]),
    [
      [1, "local trust all peer  (in place of line 1)"],
      [2, "host all app 127.0.0.1/32 scram-sha-256  (in place of line 2)"],
    ],
  );
  assert.deepEqual(drafts[1]?.evidence, [
    { label: "rule", value: "host all app 127.0.0.1/32 trust", source: { file: HBA, line: 2 } },
  ]);
  assert.deepEqual(await run(trustOnHost, [[hbaRulesFact, await hbaFile(["local all all peer"])]]), []);
});

test("password-encryption: md5 fires with the setting's file:line; scram-sha-256 and a server without it are silent", async () => {
  const [draft, ...rest] = await withSettings(passwordEncryption, { password_encryption: { value: "md5", line: 12 } });
  assert.equal(rest.length, 0);
  assert.ok(draft);
  assert.deepEqual(draft.evidence, [
    { label: "setting password_encryption", value: "md5 (configuration file)", source: { file: CONF, line: 12 } },
  ]);
  assert.match(
    passwordEncryption.fix,
    /^ALTER SYSTEM SET password_encryption = 'scram-sha-256'; SELECT pg_reload_conf\(\);$/,
  );
  assert.deepEqual(await withSettings(passwordEncryption, { password_encryption: "scram-sha-256" }), []);
  assert.deepEqual(await withSettings(passwordEncryption, {}), []);
});

test("authentication-timeout: above 60 s fires, 60 s and less do not", async () => {
  const [draft] = await withSettings(authenticationTimeout, {
    authentication_timeout: { value: "300", unit: "s", line: 7 },
  });
  assert.ok(draft);
  assert.match(draft.message, /300 s/);
  assert.deepEqual(draft.evidence[0]?.source, { file: CONF, line: 7 });
  assert.equal(draft.evidence[0]?.value, "300s (configuration file)");
  assert.deepEqual(
    await withSettings(authenticationTimeout, { authentication_timeout: { value: "61", unit: "s", line: 7 } }).then(
      (d) => d.length,
    ),
    1,
  );
  assert.deepEqual(await withSettings(authenticationTimeout, { authentication_timeout: "60" }), []);
  assert.deepEqual(await withSettings(authenticationTimeout, { authentication_timeout: "10" }), []);
});

test("auth-delay: fires without auth_delay or credcheck's delay, and when the delay is 0; the fix keeps the libraries loaded", async () => {
  const [none] = await withSettings(authDelay, { shared_preload_libraries: "pg_stat_statements" });
  assert.ok(none);
  assert.equal(
    none.fix,
    "LOAD 'auth_delay'; ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', 'pgaudit', 'passwordcheck', 'auth_delay'; ALTER SYSTEM SET auth_delay.milliseconds = '500'; -- then restart PostgreSQL (shared_preload_libraries is read at start)",
  );
  const [zero] = await withSettings(authDelay, {
    shared_preload_libraries: '"$libdir/auth_delay.so"',
    "auth_delay.milliseconds": { value: "0", unit: "ms", line: 4 },
  });
  assert.ok(zero);
  assert.match(zero.message, /milliseconds is 0/);
  assert.equal(zero.fix, "ALTER SYSTEM SET auth_delay.milliseconds = '500'; SELECT pg_reload_conf();");
  assert.equal(zero.evidence.length, 2);
  assert.deepEqual(
    await withSettings(authDelay, {
      shared_preload_libraries: "pg_stat_statements,auth_delay",
      "auth_delay.milliseconds": "500",
    }),
    [],
  );
  assert.deepEqual(
    await withSettings(authDelay, { shared_preload_libraries: "credcheck", "credcheck.auth_delay_ms": "200" }),
    [],
  );
  assert.equal(
    (await withSettings(authDelay, { shared_preload_libraries: "credcheck", "credcheck.auth_delay_ms": "0" })).length,
    1,
  );
  assert.equal(
    (await withSettings(authDelay, { "auth_delay.milliseconds": "500" })).length,
    1,
    "set but not loaded: no delay",
  );
});

test("connection-limits: ONE finding for the login roles without a limit, a quoted ALTER ROLE each; not superusers, group roles or pg_ roles", async () => {
  const drafts = await run(connectionLimits, [
    [
      rolesFact,
      [
        role("app"),
        role('we"ird'),
        role("limited", { connectionLimit: 20 }),
        role("postgres", { superuser: true }),
        role("dbrole_readonly", { login: false }),
        role("pg_monitor", { login: false }),
      ],
    ],
  ]);
  // The old expectation (one finding per role) was the noise of M4: 200 roles gave 200 findings.
  assert.deepEqual(
    drafts.map((draft) => draft.subject),
    ['app, we"ird'],
  );
  assert.match(drafts[0]?.message ?? "", /^2 login roles have no connection limit: app, we"ird$/);
  assert.deepEqual(
    drafts[0]?.evidence.map((item) => item.label),
    ["role app", 'role we"ird'],
  );
  assert.match(
    drafts[0]?.fix ?? "",
    /^ALTER ROLE "app" CONNECTION LIMIT 100; ALTER ROLE "we""ird" CONNECTION LIMIT 100; --/,
  );
});

test("connection-limits: 200 roles are one finding, evidence capped at 20 and the rest counted, the fix naming all 200", async () => {
  const many = Array.from({ length: 200 }, (_, index) => role(`app_${String(index).padStart(3, "0")}`));
  const drafts = await run(connectionLimits, [[rolesFact, many]]);
  assert.equal(drafts.length, 1);
  const [draft] = drafts;
  assert.equal(draft?.evidence.length, 21);
  assert.deepEqual(draft?.evidence[20], { label: "180 more roles", value: "LOGIN, CONNECTION LIMIT -1 (none)" });
  assert.match(draft?.subject ?? "", /^app_000, .*, app_019 and 180 more$/);
  assert.equal(draft?.fix?.match(/ALTER ROLE "app_\d{3}" CONNECTION LIMIT 100;/g)?.length, 200);
});

test("every authentication check has a family id, a CIS section of pgdsat's section 5, a why and a fix", () => {
  for (const check of AUTHENTICATION_CHECKS) {
    assert.match(check.id, /^authentication\/[a-z0-9-]+$/);
    assert.equal(check.layer, "authentication");
    assert.match(check.cis ?? "", /^5\.\d+$/);
    assert.ok(check.why.length > 40 && check.fix.length > 10, check.id);
  }
});
