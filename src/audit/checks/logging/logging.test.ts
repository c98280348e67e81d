import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { draftsOnFacts, LITERAL_CONF, literalSettings } from "../../../../test/support/literal-facts.js";
import { type AuditCheck } from "../../audit-check.js";
import { settingsFact } from "../../facts/settings.js";
import { LOGGING_CHECKS } from "./index.js";
import { prefixEscapes } from "./log-line-prefix.js";
import { libraryList, pgauditClasses } from "./pgaudit-absent.js";

/** A server configured the way these checks want it: none of them may fire. */
export const WELL_LOGGED: Readonly<Record<string, string>> = {
  log_connections: "on",
  log_disconnections: "on",
  log_statement: "ddl",
  log_line_prefix: "%m [%p] user=%u,db=%d,app=%a,client=%h ",
  log_replication_commands: "on",
  shared_preload_libraries: "pg_stat_statements,pgaudit",
  "pgaudit.log": "ddl, role, write",
  logging_collector: "on",
  log_destination: "stderr",
  log_file_mode: "0600",
  log_rotation_age: "1440",
  log_rotation_size: "10240",
  debug_print_parse: "off",
  debug_print_rewritten: "off",
  debug_print_plan: "off",
  log_error_verbosity: "default",
  log_min_messages: "warning",
  log_min_error_statement: "error",
  log_hostname: "off",
  log_timezone: "Etc/UTC",
  syslog_sequence_numbers: "on",
  syslog_split_messages: "on",
  listen_addresses: "localhost,10.0.0.5",
};

function check(id: string): AuditCheck {
  const found = LOGGING_CHECKS.find((candidate) => candidate.id === id);
  assert.ok(found, `no check ${id}`);
  return found;
}

async function run(id: string, overrides: Readonly<Record<string, string>>) {
  return draftsOnFacts(check(id), [[settingsFact, literalSettings({ ...WELL_LOGGED, ...overrides })]]);
}

/** Each weakness, the check that must report it, and words its message must hold. */
const FIRES: readonly {
  readonly id: string;
  readonly set: Readonly<Record<string, string>>;
  readonly says: RegExp;
  readonly severity?: string;
  readonly subjects?: readonly string[];
}[] = [
  { id: "logging/log-connections", set: { log_connections: "off" }, says: /log_connections is off/ },
  { id: "logging/log-disconnections", set: { log_disconnections: "off" }, says: /log_disconnections is off/ },
  { id: "logging/log-statement-none", set: { log_statement: "none" }, says: /log_statement is none/ },
  { id: "logging/log-line-prefix", set: { log_line_prefix: "%m [%p] " }, says: /user \(%u\), database \(%d\), client/ },
  { id: "logging/log-line-prefix", set: { log_line_prefix: "%t user=%u db=%d " }, says: /client \(%h or %r\)$/ },
  { id: "logging/log-line-prefix", set: { log_line_prefix: "%u@%d %r " }, says: /time \(%m or %t\)$/ },
  {
    id: "logging/log-line-prefix",
    set: { log_destination: "syslog", log_line_prefix: "%m " },
    says: /the user \(%u\), database \(%d\), client \(%h or %r\)$/,
  },
  // %%u is a literal "%u", not the user.
  { id: "logging/log-line-prefix", set: { log_line_prefix: "%m %%u %d %h " }, says: /user \(%u\)$/ },
  {
    id: "logging/log-line-prefix",
    set: { log_destination: "csvlog,stderr", log_line_prefix: "" },
    says: /time .* user .* database .* client/,
  },
  { id: "logging/log-replication-commands", set: { log_replication_commands: "off" }, says: /is off/ },
  {
    id: "logging/pgaudit-absent",
    set: { shared_preload_libraries: "pg_stat_statements" },
    says: /pgaudit is not in shared_preload_libraries/,
  },
  { id: "logging/pgaudit-absent", set: { shared_preload_libraries: "" }, says: /not in shared_preload_libraries/ },
  { id: "logging/pgaudit-absent", set: { "pgaudit.log": "none" }, says: /does not include ddl and write/ },
  { id: "logging/pgaudit-absent", set: { "pgaudit.log": "all, -write" }, says: /does not include write$/ },
  {
    id: "logging/logging-collector-off",
    set: { logging_collector: "off" },
    says: /postmaster's stderr/,
    severity: "low",
  },
  {
    id: "logging/logging-collector-off",
    set: { logging_collector: "off", log_destination: "stderr,jsonlog" },
    says: /the jsonlog log is not written at all/,
    severity: "high",
  },
  { id: "logging/log-destination-empty", set: { log_destination: "" }, says: /log_destination is empty/ },
  { id: "logging/log-file-mode", set: { log_file_mode: "0644" }, says: /0644: .*every OS user/ },
  { id: "logging/log-file-mode", set: { log_file_mode: "0660" }, says: /0660: .*the group to write/ },
  {
    id: "logging/log-rotation-off",
    set: { log_rotation_age: "0", log_rotation_size: "0" },
    says: /never rotated/,
  },
  {
    id: "logging/debug-print",
    set: { debug_print_parse: "on", debug_print_plan: "on" },
    says: /is on/,
    subjects: ["debug_print_parse", "debug_print_plan"],
  },
  { id: "logging/log-error-verbosity", set: { log_error_verbosity: "terse" }, says: /terse/ },
  { id: "logging/log-min-messages", set: { log_min_messages: "error" }, says: /warnings are not logged/ },
  { id: "logging/log-min-messages", set: { log_min_messages: "panic" }, says: /warnings are not logged/ },
  { id: "logging/log-min-messages", set: { log_min_messages: "debug2" }, says: /debug messages flood/ },
  { id: "logging/log-min-error-statement", set: { log_min_error_statement: "log" }, says: /is log/ },
  { id: "logging/log-min-error-statement", set: { log_min_error_statement: "panic" }, says: /is panic/ },
  { id: "logging/log-hostname", set: { log_hostname: "on" }, says: /log_hostname is on/ },
  { id: "logging/log-timezone", set: { log_timezone: "Europe/Paris" }, says: /Europe\/Paris, not UTC/ },
  {
    id: "logging/syslog-lossy",
    set: { log_destination: "syslog", syslog_sequence_numbers: "off", syslog_split_messages: "off" },
    says: /while logging to syslog/,
    subjects: ["syslog_sequence_numbers", "syslog_split_messages"],
  },
  { id: "logging/listen-all", set: { listen_addresses: "*" }, says: /'\*': every interface/ },
  { id: "logging/listen-all", set: { listen_addresses: "localhost, 0.0.0.0" }, says: /'0.0.0.0'/ },
  { id: "logging/listen-all", set: { listen_addresses: "::" }, says: /'::'/ },
];

/** Settings that look close to a weakness but are not one: the check must stay silent. */
const SILENT: readonly {
  readonly id: string;
  readonly set: Readonly<Record<string, string>>;
  readonly because: string;
}[] = [
  { id: "logging/log-statement-none", set: { log_statement: "mod" }, because: "mod logs more than ddl" },
  { id: "logging/log-statement-none", set: { log_statement: "all" }, because: "all logs everything" },
  { id: "logging/log-line-prefix", set: { log_line_prefix: "%-12t %r %u %d" }, because: "padding and %r count" },
  {
    id: "logging/log-line-prefix",
    set: { log_destination: "syslog", log_line_prefix: "user=%u,db=%d,client=%h " },
    because: "syslog stamps the time itself",
  },
  {
    id: "logging/log-line-prefix",
    set: { log_destination: "jsonlog", log_line_prefix: "" },
    because: "jsonlog carries every field",
  },
  {
    id: "logging/pgaudit-absent",
    set: { shared_preload_libraries: '"$libdir/pgaudit"', "pgaudit.log": "all" },
    because: "a quoted $libdir path is pgaudit, and all includes ddl and write",
  },
  {
    id: "logging/logging-collector-off",
    set: { logging_collector: "off", log_destination: "syslog" },
    because: "syslog needs no collector",
  },
  {
    id: "logging/log-file-mode",
    set: { log_file_mode: "0640" },
    because: "group read is accepted for a log-reading group",
  },
  {
    id: "logging/log-file-mode",
    set: { log_file_mode: "0666", logging_collector: "off" },
    because: "without the collector the server writes no file",
  },
  {
    id: "logging/log-rotation-off",
    set: { log_rotation_age: "0", log_rotation_size: "10240" },
    because: "size rotation alone is a policy",
  },
  {
    id: "logging/log-rotation-off",
    set: { log_rotation_age: "0", log_rotation_size: "0", log_destination: "syslog" },
    because: "syslog rotates its own files",
  },
  { id: "logging/log-error-verbosity", set: { log_error_verbosity: "verbose" }, because: "verbose says more" },
  { id: "logging/log-min-messages", set: { log_min_messages: "notice" }, because: "notice keeps warnings" },
  { id: "logging/log-min-error-statement", set: { log_min_error_statement: "warning" }, because: "more is fine" },
  { id: "logging/log-timezone", set: { log_timezone: "UTC" }, because: "UTC" },
  { id: "logging/log-timezone", set: { log_timezone: "GMT" }, because: "GMT is UTC" },
  {
    id: "logging/syslog-lossy",
    set: { syslog_sequence_numbers: "off" },
    because: "the server does not log to syslog",
  },
  { id: "logging/listen-all", set: { listen_addresses: "localhost" }, because: "loopback only" },
  { id: "logging/listen-all", set: { listen_addresses: "" }, because: "Unix socket only" },
];

describe("logging checks on literal settings", () => {
  test("a server configured as recommended gets no logging finding", async () => {
    for (const logging of LOGGING_CHECKS) {
      const drafts = await draftsOnFacts(logging, [[settingsFact, literalSettings(WELL_LOGGED)]]);
      assert.deepEqual(drafts, [], logging.id);
    }
  });

  for (const bad of FIRES)
    test(`${bad.id} reports ${JSON.stringify(bad.set)}`, async () => {
      const drafts = await run(bad.id, bad.set);
      assert.deepEqual(
        drafts.map((draft) => draft.subject),
        bad.subjects ?? [drafts[0]?.subject ?? "(none)"],
      );
      assert.ok(drafts.length > 0, "no finding");
      for (const draft of drafts) {
        assert.match(draft.message, bad.says);
        assert.equal(draft.severity ?? check(bad.id).severity, bad.severity ?? check(bad.id).severity);
        // The evidence names the setting and the file and line that set it.
        const named = draft.evidence.find((evidence) => evidence.label === `setting ${draft.subject}`);
        const evidence = named ?? draft.evidence[0];
        assert.equal(evidence?.source?.file, LITERAL_CONF);
        assert.ok((evidence?.source?.line ?? 0) > 0);
      }
    });

  for (const fine of SILENT)
    test(`${fine.id} is silent on ${JSON.stringify(fine.set)} (${fine.because})`, async () => {
      assert.deepEqual(await run(fine.id, fine.set), []);
    });

  test("a setting the server does not have (older version, module not loaded) is no finding", async () => {
    const bare = literalSettings({});
    for (const logging of LOGGING_CHECKS.filter((candidate) => candidate.id !== "logging/pgaudit-absent"))
      assert.deepEqual(await draftsOnFacts(logging, [[settingsFact, bare]]), [], logging.id);
  });

  test("the fix for a missing pgaudit keeps the libraries already preloaded", async () => {
    const [draft] = await run("logging/pgaudit-absent", { shared_preload_libraries: "pg_stat_statements, auth_delay" });
    assert.match(
      draft?.fix ?? "",
      /shared_preload_libraries = 'pg_stat_statements', 'auth_delay', 'pgaudit', 'passwordcheck';/,
    );
  });

  test("log_line_prefix escapes: %% is a literal, padding is allowed", () => {
    assert.deepEqual([...prefixEscapes("%m [%-5p] %%u %10d")].sort(), ["d", "m", "p"]);
  });

  test("library lists and pgaudit classes parse as the server reads them", () => {
    assert.deepEqual(libraryList(' pg_stat_statements , "$libdir/pgaudit",,'), [
      "pg_stat_statements",
      "$libdir/pgaudit",
    ]);
    assert.deepEqual([...pgauditClasses("ALL, -misc, -misc_set")].sort(), ["ddl", "function", "read", "role", "write"]);
    assert.deepEqual([...pgauditClasses("none")], []);
  });
});
