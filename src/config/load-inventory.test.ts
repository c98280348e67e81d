import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { ExitCode, PgwardenError } from "../core/errors.js";
import { loadInventory, parseInventory } from "./load-inventory.js";

function configError(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseInventory(text, "pigsty.yml"),
    (error: unknown) => {
      assert.ok(error instanceof PgwardenError);
      assert.equal(error.exitCode, ExitCode.config);
      assert.equal(error.code, "invalid-inventory");
      assert.match(error.message, pattern);
      return true;
    },
  );
}

const CLUSTER = `all:
  children:
    pg-meta:
      hosts:
        10.10.10.10: { pg_seq: 1, pg_role: primary }
      vars:
        pg_cluster: pg-meta
`;

test("groups, hosts and vars are read; unknown keys are kept; YAML 1.1 booleans as Ansible reads them", () => {
  const inventory = parseInventory(
    `all:
  children:
    infra: { hosts: { 10.10.10.10: { infra_seq: 1 } } }
    pg-meta:
      hosts:
        10.10.10.10: { pg_seq: 1, pg_role: primary, pg_offline_query: yes }
        10.10.10.11: { pg_seq: '2', pg_role: replica, pg_offline_query: off }
      vars: { pg_cluster: pg-meta, patroni_watchdog_mode: off, pg_conf: crit.yml }
  vars:
    admin_ip: 10.10.10.10
    grafana_admin_password: secret
`,
    "pigsty.yml",
  );
  assert.deepEqual([...inventory.groups.keys()], ["infra", "pg-meta"]);
  assert.deepEqual(inventory.groups.get("pg-meta")?.hosts, ["10.10.10.10", "10.10.10.11"]);
  assert.deepEqual(inventory.groups.get("pg-meta")?.source, { file: "pigsty.yml", line: 4 });
  assert.equal(inventory.vars.grafana_admin_password, "secret");
  assert.equal(inventory.groups.get("pg-meta")?.vars.patroni_watchdog_mode, false);
  assert.deepEqual(inventory.hostVars.get("10.10.10.10"), {
    infra_seq: 1,
    pg_seq: 1,
    pg_role: "primary",
    pg_offline_query: true,
  });
  assert.equal(inventory.hostVars.get("10.10.10.11")?.pg_seq, 2);
  assert.equal(inventory.hostVars.get("10.10.10.11")?.pg_offline_query, false);
  assert.deepEqual(inventory.warnings, []);
});

test("rule objects remember the line they were written on", () => {
  const inventory = parseInventory(
    `${CLUSTER}        pg_hba_rules:
          - { user: app, addr: intra }
          - title: raw
            rules: [ 'local all all peer' ]
`,
    "pigsty.yml",
  );
  const rules = inventory.groups.get("pg-meta")?.vars.pg_hba_rules ?? [];
  assert.deepEqual(
    rules.map((rule) => rule.source),
    [
      { file: "pigsty.yml", line: 9 },
      { file: "pigsty.yml", line: 10 },
    ],
  );
  assert.deepEqual(rules[0], { user: "app", addr: "intra", source: { file: "pigsty.yml", line: 9 } });
});

test("a bad value is file:line: path: message, exit 3; several are all listed, each at its own line and column", () => {
  configError(
    `${CLUSTER}        pg_role: leader\n`,
    /^pigsty\.yml:8: all\.children\.pg-meta\.vars\.pg_role: invalid pg_role "leader": use one of primary, replica, offline, standby, delayed$/,
  );
  const several = `all:
  children:
    pg-meta:
      hosts:
        10.10.10.10: { pg_seq: -1, pg_role: primary, pg_offline_query: maybe }
      vars: { pg_cluster: pg-meta, admin_ip: localhost, node_firewall_intranet: [ 10.0.0.0/8, intranet ], pg_pwd_enc: sha1 }
`;
  configError(several, /^5 inventory problems in pigsty\.yml$/);
  // Expected places computed from the text itself: the line, and the column where the key (or list item) starts.
  const lines = several.split("\n");
  const at = (line: number, token: string) => [line, (lines[line - 1] ?? "").indexOf(token) + 1];
  try {
    parseInventory(several, "pigsty.yml");
    assert.fail("the inventory has problems");
  } catch (error) {
    assert.ok(error instanceof PgwardenError);
    assert.deepEqual(
      error.problems?.map((problem) => [
        problem.line,
        problem.column,
        problem.path,
        problem.severity,
        problem.message.split(": ")[0],
      ]),
      [
        [
          ...at(5, "pg_seq"),
          'all.children.pg-meta.hosts["10.10.10.10"].pg_seq',
          "error",
          'all.children.pg-meta.hosts["10.10.10.10"].pg_seq',
        ],
        [
          ...at(5, "pg_offline_query"),
          'all.children.pg-meta.hosts["10.10.10.10"].pg_offline_query',
          "error",
          'all.children.pg-meta.hosts["10.10.10.10"].pg_offline_query',
        ],
        [...at(6, "admin_ip"), "all.children.pg-meta.vars.admin_ip", "error", "all.children.pg-meta.vars.admin_ip"],
        [
          ...at(6, "intranet ]"),
          "all.children.pg-meta.vars.node_firewall_intranet[1]",
          "error",
          "all.children.pg-meta.vars.node_firewall_intranet[1]",
        ],
        [
          ...at(6, "pg_pwd_enc"),
          "all.children.pg-meta.vars.pg_pwd_enc",
          "error",
          "all.children.pg-meta.vars.pg_pwd_enc",
        ],
      ],
    );
    assert.ok(error.problems?.every((problem) => problem.file === "pigsty.yml" && (problem.column ?? 0) > 1));
  }
  configError(
    `${CLUSTER}  vars:\n    node_firewall_intranet: [ 10.0.0.0/8, intranet ]\n`,
    /^pigsty\.yml:9: all\.vars\.node_firewall_intranet\[1\]: "intranet" is not an IPv4\/IPv6 CIDR$/,
  );
  configError(
    `${CLUSTER}  vars:\n    pg_dbsu: ''\n`,
    /^pigsty\.yml:9: all\.vars\.pg_dbsu: expected a role name, got an empty string$/,
  );
  configError(
    `${CLUSTER}  vars:\n    pg_admin_username: "dba\\nhost all all 0.0.0.0/0 trust"\n`,
    /^pigsty\.yml:9: all\.vars\.pg_admin_username: a role name here must not contain spaces, #, commas, quotes or control characters$/,
  );
  configError(
    `${CLUSTER}  vars:\n    pg_hba_rules: { user: app }\n`,
    /^pigsty\.yml:9: all\.vars\.pg_hba_rules: expected a list, got a mapping$/,
  );
  configError(
    `${CLUSTER}  vars:\n    pg_hba_rules:\n      - { addr: world, auth: pwd }\n      - { addr: world, auth: password }\n`,
    /^pigsty\.yml:11: all\.vars\.pg_hba_rules\[1\]\.auth: unsupported auth "password"/,
  );
});

test("the structure is checked: mappings where mappings belong, instances with pg_role and pg_seq", () => {
  configError("", /^pigsty\.yml:1: the inventory is empty/);
  configError("- a\n- b\n", /^pigsty\.yml:1: expected a mapping with all: at the top, got a list/);
  configError(
    "all:\n  children:\n    pg-meta: [ 10.10.10.10 ]\n",
    /^pigsty\.yml:3: all\.children\.pg-meta: expected a group/,
  );
  configError(
    "all:\n  children:\n    pg-meta:\n      hosts:\n        10.10.10.10: primary\n",
    /^pigsty\.yml:5: all\.children\.pg-meta\.hosts\["10\.10\.10\.10"\]: expected a mapping of variables, got a string$/,
  );
  configError(
    'all:\n  children:\n    infra:\n      hosts: { "10.0.0.9\\nhost all all 0.0.0.0/0 trust": {} }\n',
    /^pigsty\.yml:4: all\.children\.infra\.hosts\["10\.0\.0\.9\\nhost all all 0\.0\.0\.0\/0 trust"\]: host "10\.0\.0\.9\\nhost all all 0\.0\.0\.0\/0 trust" is not an address or a host name$/,
  );
  configError(
    "all:\n  children:\n    pg-meta:\n      hosts:\n        10.10.10.10: { pg_seq: 1 }\n      vars: { pg_cluster: pg-meta }\n",
    /^pigsty\.yml:5: all\.children\.pg-meta\.hosts\["10\.10\.10\.10"\]: instance of cluster pg-meta has no pg_role$/,
  );
});

test("YAML syntax errors name the line", () => {
  configError("all:\n  vars:\n    admin_ip: [10.10.10.10\n  children: {}\n", /^pigsty\.yml:\d: /);
  configError("all:\n  vars: { a: 1\n", /^pigsty\.yml:\d+: .+/);
});

test("keys a group cannot hold are read past with a warning", () => {
  const inventory = parseInventory(`${CLUSTER}      var:\n        pg_role: primary\n`, "pigsty.yml");
  assert.deepEqual(inventory.warnings, [
    "pigsty.yml:8: all.children.pg-meta.var: not read: a group holds only hosts, vars and children",
  ]);
});

test("loadInventory reads a file; a missing one is not-found (exit 4), a directory a usage error (exit 2)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pgwarden-inventory-"));
  try {
    await writeFile(join(dir, "pigsty.yml"), CLUSTER);
    const inventory = await loadInventory(join(dir, "pigsty.yml"));
    assert.equal(inventory.file, join(dir, "pigsty.yml"));
    await assert.rejects(
      loadInventory(join(dir, "missing.yml")),
      (error: PgwardenError) =>
        error.exitCode === ExitCode.notFound &&
        error.message === `inventory ${join(dir, "missing.yml")} does not exist`,
    );
    await assert.rejects(
      loadInventory(dir),
      (error: PgwardenError) =>
        error.exitCode === ExitCode.usage && error.message === `inventory ${dir} is a directory: give a file`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("pg_users entries keep the shape they were written in, with where they were written", () => {
  const inventory = parseInventory(
    `${CLUSTER}        pg_users:
          - { name: dbuser_app, password: { env: APP_PASSWORD }, login: yes, roles: [dbrole_readwrite, { name: dbrole_admin, state: revoke }], pool_mode: session }
          - name: dbuser_view
            password: DBUser.View
            expire_at: 2030-12-31
            parameters: { search_path: 'monitor,public', statement_timeout: 30000 }
  vars:
    pg_admin_password: { file: secrets/admin.txt }
    pg_monitor_password: plain-Monitor-1
`,
    "pigsty.yml",
  );
  const users = inventory.groups.get("pg-meta")?.vars.pg_users ?? [];
  assert.deepEqual(users[0], {
    name: "dbuser_app",
    password: { env: "APP_PASSWORD" },
    login: true,
    roles: ["dbrole_readwrite", { name: "dbrole_admin", state: "revoke" }],
    pool_mode: "session",
    source: { file: "pigsty.yml", line: 9 },
    passwordSource: { file: "pigsty.yml", line: 9 },
  });
  assert.equal(users[1]?.expire_at, "2030-12-31", "YAML 1.1 reads the date as a timestamp; it is kept as the date");
  assert.deepEqual(users[1]?.source, { file: "pigsty.yml", line: 10 });
  assert.deepEqual(
    users[1]?.passwordSource,
    { file: "pigsty.yml", line: 11 },
    "a password on its own line is placed there",
  );
  assert.deepEqual(inventory.vars.pg_admin_password, {
    file: "secrets/admin.txt",
    source: { file: "pigsty.yml", line: 15 },
  });
  assert.equal(inventory.vars.pg_monitor_password, "plain-Monitor-1");
});

test("bad role entries are file:line: path: message, exit 3", () => {
  const users = (entry: string) => `${CLUSTER}        pg_users:\n          - ${entry}\n`;
  configError(
    users("{ password: x }"),
    /^pigsty\.yml:9: all\.children\.pg-meta\.vars\.pg_users\[0\]\.name: expected a string, got nothing$/,
  );
  configError(
    users("{ name: '' }"),
    /^pigsty\.yml:9: all\.children\.pg-meta\.vars\.pg_users\[0\]\.name: expected a role name, got an empty string$/,
  );
  configError(
    users(`{ name: ${"x".repeat(64)} }`),
    /pg_users\[0\]\.name: role name "x{64}" is longer than 63 bytes, so PostgreSQL would truncate it/,
  );
  // A password in the wrong form is still a password: the message says its kind, never its value.
  configError(
    users("{ name: app, password: 12345678 }"),
    /^pigsty\.yml:9: .*pg_users\[0\]\.password: expected a password: a quoted string .*, got a number$/,
  );
  configError(
    `${CLUSTER}        pg_admin_password: 123456789012\n`,
    /^(?!.*123456789012).*pg_admin_password: expected a password.*, got a number$/,
  );
  // YAML 1.1 would read an unquoted impossible date as the next month's; it is refused as written.
  configError(
    users("{ name: app, expire_at: 2031-02-30 }"),
    /pg_users\[0\]\.expire_at: "2031-02-30" is not a calendar date$/,
  );
  configError(users("{ name: app, password: { vault: x } }"), /pg_users\[0\]\.password: expected a password/);
  configError(
    users("{ name: app, state: deleted }"),
    /pg_users\[0\]\.state: invalid state "deleted": use create or absent$/,
  );
  configError(users("{ name: app, connlimit: -2 }"), /pg_users\[0\]\.connlimit: must be at least -1, got number -2$/);
  configError(
    users("{ name: app, expire_at: '2030-02-30' }"),
    /pg_users\[0\]\.expire_at: "2030-02-30" is not a calendar date$/,
  );
  configError(
    users("{ name: app, expire_at: next year }"),
    /pg_users\[0\]\.expire_at: expected a date, YYYY-MM-DD, got string "next year"$/,
  );
  configError(users("{ name: app, login: maybe }"), /pg_users\[0\]\.login: expected a boolean/);
  configError(
    users("{ name: app, roles: [ { name: x, state: maybe } ] }"),
    /pg_users\[0\]\.roles\[0\]: expected a role name or \{name: ROLE, state: grant\|revoke\}/,
  );
  configError(
    users("{ name: app, parameters: { 'search path; DROP': x } }"),
    /pg_users\[0\]\.parameters\["search path; DROP"\]: "search path; DROP" is not a parameter name/,
  );
  configError(`${CLUSTER}        pg_users: { name: app }\n`, /pg_users: expected a list, got a mapping$/);
});

test("pg_default_privileges entries are checked where they are written", () => {
  const privileges = (entry: string) =>
    `${CLUSTER}        pg_default_privileges:\n          - GRANT SELECT ON TABLES TO dbrole_readonly\n          - ${entry}\n`;
  assert.doesNotThrow(() => parseInventory(privileges("REVOKE ALL ON FUNCTIONS FROM PUBLIC"), "pigsty.yml"));
  configError(
    privileges("GRANT EXECUTE ON TABLES TO dbrole_readonly"),
    /^pigsty\.yml:10: all\.children\.pg-meta\.vars\.pg_default_privileges\[1\]: EXECUTE is not a privilege on tables/,
  );
  configError(
    privileges("GRANT SELECT ON TABLES dbrole_readonly"),
    /pg_default_privileges\[1\]: expected GRANT <privileges> ON/,
  );
  configError(
    privileges("GRANT SELECT ON TABLES TO dbrole_readonly; DROP ROLE x"),
    /pg_default_privileges\[1\]: .* is not a role name/,
  );
});

test("an inventory that is not one names file:line and what is wrong, never the file's content (a .pgpass, /etc/passwd)", () => {
  const files: Record<string, string> = {
    ".pgpass": "127.0.0.1:5432:*:postgres:S3cretPgpass\n*:*:*:app:An0therSecret\n",
    passwd: "root:x:0:0:root:/root:/bin/bash\nsvc:x:999:999:S3cretGecos:/home/svc:/usr/sbin/nologin\n",
    "tagged.yml": "all: !S3cretTag x\n",
    "alias.yml": "all: *S3cretAlias\n",
    "group.yml": "all:\n  children:\n    pg-meta: S3cretGroupValue\n",
  };
  for (const [file, text] of Object.entries(files)) {
    let message = "";
    try {
      parseInventory(text, file);
    } catch (error) {
      assert.ok(error instanceof PgwardenError && error.exitCode === ExitCode.config, `${file}: ${String(error)}`);
      message = error.message;
    }
    assert.match(message, new RegExp(`^${file.replace(".", "\\.")}:\\d+: `), `${file}: ${message}`);
    assert.doesNotMatch(message, /S3cret|An0ther|root:x|bin\/bash/, `${file} echoed: ${message}`);
  }
});
