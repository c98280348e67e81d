import assert from "node:assert/strict";
import { test } from "node:test";

import { parseInventory } from "../config/load-inventory.js";
import { ExitCode, PgwardenError } from "../core/errors.js";
import { desiredRoleModel } from "./role-model.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const env = { ADMIN_PASSWORD: "Admin-From-Env-1" };

const inventory = (vars: string, globals = "") =>
  parseInventory(
    `all:
  children:
    pg-test:
      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-test
${vars}
  vars:
    pg_admin_password: { env: ADMIN_PASSWORD }
${globals}`,
    "/etc/pigsty/pigsty.yml",
  );

test("without pg_default_roles: Pigsty's four roles and system users, with their attributes, memberships and comments", async () => {
  const model = await desiredRoleModel(inventory(""), "pg-test", { env, now: NOW });
  assert.deepEqual(
    model.roles.map((role) => [
      role.name,
      role.attributes,
      role.memberships.map((membership) => membership.role),
      role.comment,
    ]),
    [
      ["dbrole_readonly", { login: false }, [], "role for global read-only access"],
      ["dbrole_offline", { login: false }, [], "role for restricted read-only access"],
      ["dbrole_readwrite", { login: false }, ["dbrole_readonly"], "role for global read-write access"],
      ["dbrole_admin", { login: false }, ["pg_monitor", "dbrole_readwrite"], "role for object creation"],
      ["postgres", { superuser: true }, [], "system superuser"],
      ["replicator", { replication: true }, ["pg_monitor", "dbrole_readonly"], "system replicator"],
      ["dbuser_dba", { superuser: true }, ["dbrole_admin"], "pgsql admin user"],
      ["dbuser_monitor", {}, ["pg_monitor", "dbrole_readonly"], "pgsql monitor user"],
    ],
  );
  assert.deepEqual(model.roles.find((role) => role.name === "dbuser_monitor")?.parameters, [
    { name: "log_min_duration_statement", value: "1000" },
  ]);
  assert.equal(model.defaultPrivileges.length, 17);
  assert.deepEqual(model.privilegeOwners, ["postgres", "dbuser_dba", "dbrole_admin"]);
  assert.deepEqual(
    model.roles.filter((role) => role.system).map((role) => role.name),
    ["postgres", "replicator", "dbuser_dba", "dbuser_monitor"],
  );
  assert.ok(model.roles.every((role) => role.state === "create"));
});

test("system users get pg_*_password (the inventory's, else Pigsty's), the dbsu none by default; pg_users passwords win", async () => {
  const model = await desiredRoleModel(
    inventory("        pg_users:\n          - { name: dbuser_monitor, password: Monitor-Own-1 }"),
    "pg-test",
    { env, now: NOW },
  );
  const password = (name: string) => model.roles.find((role) => role.name === name)?.password;
  assert.deepEqual(password("dbuser_dba"), {
    kind: "plaintext",
    value: "Admin-From-Env-1",
    from: "pg_admin_password (env ADMIN_PASSWORD)",
    source: { file: "/etc/pigsty/pigsty.yml", line: 10 },
  });
  assert.equal(password("replicator")?.kind === "plaintext" && password("replicator")?.from, "pg_replication_password");
  assert.deepEqual(password("dbuser_monitor"), {
    kind: "plaintext",
    value: "Monitor-Own-1",
    from: "pg_users",
    source: { file: "/etc/pigsty/pigsty.yml", line: 8 },
  });
  assert.equal(password("postgres"), undefined, "pg_dbsu_password '' means no password");
  const monitor = model.roles.find((role) => role.name === "dbuser_monitor");
  assert.deepEqual(
    [monitor?.memberships.map((membership) => membership.role), monitor?.comment],
    [["pg_monitor", "dbrole_readonly"], "pgsql monitor user"],
    "one role: pg_default_roles' entry, with what pg_users states over it",
  );
  assert.equal(model.roles.filter((role) => role.name === "dbuser_monitor").length, 1);
});

test("pg_users: later entries override what they state; expiry, parameters, memberships and state", async () => {
  const model = await desiredRoleModel(
    inventory(`        pg_users:
          - { name: app, password: App-Password-1, roles: [dbrole_readwrite, { name: dbrole_admin, state: revoke }], connlimit: 5, expire_in: 10, parameters: { search_path: 'app,public' } }
          - { name: app, login: false, expire_at: 2030-12-31 }
          - { name: old_app, state: absent }`),
    "pg-test",
    { env, now: NOW },
  );
  const app = model.roles.find((role) => role.name === "app");
  assert.deepEqual(app?.attributes, { login: false });
  assert.equal(app?.connectionLimit, 5);
  assert.equal(app?.validUntil, "2030-12-31");
  assert.deepEqual(app?.memberships, [
    { role: "dbrole_readwrite", state: "grant" },
    { role: "dbrole_admin", state: "revoke" },
  ]);
  assert.deepEqual(app?.parameters, [{ name: "search_path", value: ["app", "public"] }]);
  assert.equal(app?.comment, "business user app", "Pigsty's comment for a user without one");
  assert.equal(model.roles.find((role) => role.name === "old_app")?.state, "absent");
  const soon = await desiredRoleModel(inventory("        pg_users: [ { name: app, expire_in: 10 } ]"), "pg-test", {
    env,
    now: NOW,
  });
  assert.equal(soon.roles.find((role) => role.name === "app")?.validUntil, "2026-03-11");
});

test("the inventory's pg_default_roles replace Pigsty's; cluster vars win over global ones", async () => {
  const model = await desiredRoleModel(
    inventory(
      "        pg_default_roles: [ { name: readers, login: false } ]\n        pg_admin_username: cluster_admin",
      "    pg_admin_username: global_admin\n    pg_dbsu: pgdbsu\n",
    ),
    "pg-test",
    { env, now: NOW },
  );
  assert.deepEqual(
    model.roles.map((role) => role.name),
    ["readers"],
  );
  assert.deepEqual(model.privilegeOwners, ["pgdbsu", "cluster_admin", "dbrole_admin"]);
  assert.deepEqual(
    model.warnings,
    [
      "pg_admin_password is set, but pg_admin_username cluster_admin is in neither pg_default_roles nor pg_users: its password is not managed",
    ],
    "only for what the inventory sets itself",
  );
  const fromUsers = await desiredRoleModel(
    inventory("        pg_default_roles: []\n        pg_users: [ { name: dbuser_dba, superuser: true } ]"),
    "pg-test",
    { env, now: NOW },
  );
  assert.equal(
    fromUsers.roles[0]?.password?.from,
    "pg_admin_password (env ADMIN_PASSWORD)",
    "a system user declared in pg_users gets its password",
  );
});

test("a system user declared absent is refused (exit 3) naming the line; so is a role that is a member of itself", async () => {
  await assert.rejects(
    desiredRoleModel(
      inventory("        pg_default_roles: []\n        pg_users: [ { name: dbuser_dba, state: absent } ]"),
      "pg-test",
      { env, now: NOW },
    ),
    (error: unknown) =>
      error instanceof PgwardenError &&
      error.exitCode === ExitCode.config &&
      /^\/etc\/pigsty\/pigsty\.yml:8: dbuser_dba is a system user .* state: absent is refused$/.test(error.message),
  );
  await assert.rejects(
    desiredRoleModel(inventory("        pg_users: [ { name: app, roles: [app] } ]"), "pg-test", { env, now: NOW }),
    /pg_users app: a role cannot be a member of itself/,
  );
  await assert.rejects(
    desiredRoleModel(inventory(""), "pg-test", { env: {}, now: NOW }),
    /pigsty\.yml:9: pg_admin_password \(dbuser_dba\): the environment variable ADMIN_PASSWORD is not set/,
  );
});

test("Pigsty's defaults are placed where they come into force, the cluster's entry, never in Pigsty's own files", async () => {
  const text = (vars: string) => `all:
  children:
    pg-test:
      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-test
${vars}
  vars:
    pg_monitor_password: Monitor-Own-1
`;
  const lines = text("").split("\n");
  const line = (needle: string) => lines.findIndex((each) => each.includes(needle)) + 1;
  const model = await desiredRoleModel(parseInventory(text(""), "pigsty.yml"), "pg-test", { env, now: NOW });
  const role = (name: string) => model.roles.find((each) => each.name === name);
  const entry = { file: "pigsty.yml", line: line("    pg-test:") };
  for (const each of model.roles) {
    assert.deepEqual(
      each.source,
      entry,
      `${each.name} comes from Pigsty's pg_default_roles, in force at pg-test's entry`,
    );
    assert.equal(each.pigstyDefault, "pg_default_roles");
  }
  const replicator = role("replicator")?.password;
  assert.deepEqual(
    [replicator?.source, replicator?.pigstyDefault],
    [entry, "pg_replication_password"],
    "an unset system password: at the cluster's entry",
  );
  const monitor = role("dbuser_monitor")?.password;
  const monitorLine = { file: "pigsty.yml", line: line("pg_monitor_password") };
  assert.deepEqual(
    [monitor?.source, monitor?.pigstyDefault],
    [monitorLine, undefined],
    "a password the inventory sets as text: its line",
  );

  const redeclaring = parseInventory(
    text("        pg_users: [ { name: dbuser_monitor, comment: mine } ]"),
    "pigsty.yml",
  );
  const own = await desiredRoleModel(redeclaring, "pg-test", { env, now: NOW });
  const redeclared = own.roles.find((each) => each.name === "dbuser_monitor");
  assert.deepEqual(
    [redeclared?.source?.line, redeclared?.pigstyDefault],
    [7, undefined],
    "a default role declared again: at its own entry",
  );
});

test("every unreadable password, refused entry and redeclared role is reported together, each at its line, not only the first", async () => {
  const text = `all:
  children:
    pg-test:
      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-test
        pg_users:
          - { name: app, password: { env: NOT_SET_APP } }
          - { name: report, password: { file: missing.pw } }
          - { name: dbuser_dba, state: absent }
  vars:
    pg_admin_password: { env: NOT_SET_ADMIN }
`;
  const lines = text.split("\n");
  const line = (needle: string) => lines.findIndex((each) => each.includes(needle)) + 1;
  await assert.rejects(
    desiredRoleModel(parseInventory(text, "/etc/pigsty/pigsty.yml"), "pg-test", { env: {}, now: NOW }),
    (error: unknown) => {
      assert.ok(error instanceof PgwardenError);
      assert.equal(error.exitCode, ExitCode.config);
      assert.equal(error.message, "6 problems with the declared roles in /etc/pigsty/pigsty.yml");
      const override =
        "Pigsty creates pg_default_roles first, then pg_users, so what the pg_users entry states overrides it (rule overrides-default-role)";
      assert.deepEqual(
        error.problems?.map((problem) => [
          problem.line,
          problem.message.replace(/ \/etc\/pigsty\/missing\.pw /, " F "),
        ]),
        [
          [
            line("pg-test:"),
            `dbuser_dba of Pigsty's default pg_default_roles (not set for pg-test: roles/pgsql/defaults/main.yml) is declared again in pg_users at line ${line("name: dbuser_dba")}:13: ${override}`,
          ],
          [line("NOT_SET_APP"), "pg_users app: password: the environment variable NOT_SET_APP is not set"],
          [line("missing.pw"), "pg_users report: password: the password file F does not exist"],
          [
            line("name: dbuser_dba"),
            "dbuser_dba is a system user (the dbsu, replicator, monitor or admin user): pgwarden never drops it, so state: absent is refused",
          ],
          [
            line("name: dbuser_dba"),
            `pg_users dbuser_dba is also declared in Pigsty's default pg_default_roles (roles/pgsql/defaults/main.yml): ${override}`,
          ],
          [line("NOT_SET_ADMIN"), "pg_admin_password (dbuser_dba): the environment variable NOT_SET_ADMIN is not set"],
        ],
      );
      return true;
    },
  );
});

test("a role named twice in pg_users is an error at each entry (file:line:column), and the password it replaces is kept to be checked", async () => {
  const text = `all:
  children:
    pg-test:
      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-test
        pg_users:
          - { name: u1, password: u1 }
          - { name: u2, password: U2-Str0ng-pw }
          - { name: u1, password: "Str0ng-Passw0rd-xyz" }
  vars:
    pg_admin_password: { env: ADMIN_PASSWORD }
`;
  const lines = text.split("\n");
  const line = (needle: string) => lines.findIndex((each) => each.includes(needle)) + 1;
  const model = await desiredRoleModel(parseInventory(text, "pigsty.yml"), "pg-test", { env, now: NOW });
  const [first, second] = [line("name: u1, password: u1"), line("Str0ng-Passw0rd-xyz")];
  const why =
    "declare each role once; Pigsty's pgsql.yml applies every entry in turn (the last password wins) but bin/pgsql-user applies only the first (rule duplicate-role)";
  assert.deepEqual(
    model.problems.map((problem) => [
      problem.file,
      problem.line,
      problem.column,
      problem.path,
      problem.severity,
      problem.rule,
      problem.message,
    ]),
    [
      [
        "pigsty.yml",
        first,
        13,
        "all.children.pg-test.vars.pg_users[0]",
        "error",
        "duplicate-role",
        `pg_users u1 is also declared at line ${second}:13: ${why}`,
      ],
      [
        "pigsty.yml",
        second,
        13,
        "all.children.pg-test.vars.pg_users[2]",
        "error",
        "duplicate-role",
        `pg_users u1 is also declared at line ${first}:13: ${why}`,
      ],
    ],
  );
  const u1 = model.roles.find((role) => role.name === "u1");
  assert.equal(
    model.roles.filter((role) => role.name === "u1").length,
    1,
    "still one role, as Pigsty's pgsql.yml leaves it",
  );
  assert.deepEqual(u1?.password?.kind === "plaintext" && [u1.password.value, u1.password.source?.line], [
    "Str0ng-Passw0rd-xyz",
    second,
  ]);
  assert.deepEqual(
    u1?.overriddenPasswords?.map((password) => [
      password.kind === "plaintext" && password.value,
      password.from,
      password.source?.line,
    ]),
    [["u1", "pg_users", first]],
  );
  assert.deepEqual(model.warnings, [], "the problems are not warnings");
});

test("a role pg_users declares again over pg_default_roles is a warning at both entries, the default's place being the cluster's entry when it is Pigsty's", async () => {
  const text = (vars: string, globals: string) => `all:
  children:
    pg-test:
      hosts: { 10.10.10.11: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-test
        pg_users:
          - { name: dbuser_monitor, comment: mine }
${vars}
  vars:
    pg_admin_password: { env: ADMIN_PASSWORD }
${globals}`;
  const why =
    "Pigsty creates pg_default_roles first, then pg_users, so what the pg_users entry states overrides it (rule overrides-default-role)";
  const own = text(
    "",
    "    pg_default_roles:\n      - { name: readers, login: false }\n      - { name: dbuser_monitor, roles: [pg_monitor] }\n",
  );
  const lines = own.split("\n");
  const line = (needle: string) => lines.findIndex((each) => each.includes(needle)) + 1;
  const [users, defaults] = [line("comment: mine"), line("roles: [pg_monitor]")];
  const model = await desiredRoleModel(parseInventory(own, "pigsty.yml"), "pg-test", { env, now: NOW });
  assert.deepEqual(
    model.problems.map((problem) => [problem.line, problem.column, problem.severity, problem.rule, problem.message]),
    [
      [
        users,
        13,
        "warning",
        "overrides-default-role",
        `pg_users dbuser_monitor is also declared in pg_default_roles at line ${defaults}:9: ${why}`,
      ],
      [
        defaults,
        9,
        "warning",
        "overrides-default-role",
        `pg_default_roles dbuser_monitor is declared again in pg_users at line ${users}:13: ${why}`,
      ],
    ],
  );
  assert.deepEqual(
    model.roles.find((role) => role.name === "dbuser_monitor")?.comment,
    "mine",
    "the override is still made",
  );

  const pigsty = await desiredRoleModel(parseInventory(text("", ""), "pigsty.yml"), "pg-test", { env, now: NOW });
  assert.deepEqual(
    pigsty.problems.map((problem) => [problem.line, problem.column, problem.severity, problem.message]),
    [
      [
        users,
        13,
        "warning",
        `pg_users dbuser_monitor is also declared in Pigsty's default pg_default_roles (roles/pgsql/defaults/main.yml): ${why}`,
      ],
      [
        line("pg-test:"),
        5,
        "warning",
        `dbuser_monitor of Pigsty's default pg_default_roles (not set for pg-test: roles/pgsql/defaults/main.yml) is declared again in pg_users at line ${users}:13: ${why}`,
      ],
    ],
  );
});

test("a stated system password replaced by a pg_users password is kept to be checked; Pigsty's own default, replaced, is not", async () => {
  const model = await desiredRoleModel(
    inventory(
      "        pg_users:\n          - { name: dbuser_dba, password: Dba-Own-Str0ng }\n          - { name: dbuser_monitor, password: Monitor-Own-1 }",
    ),
    "pg-test",
    { env, now: NOW },
  );
  const overridden = (name: string) =>
    model.roles.find((role) => role.name === name)?.overriddenPasswords?.map((password) => password.from);
  assert.deepEqual(
    overridden("dbuser_dba"),
    ["pg_admin_password (env ADMIN_PASSWORD)"],
    "pg_admin_password is still installed by Pigsty at bootstrap",
  );
  assert.equal(
    overridden("dbuser_monitor"),
    undefined,
    "pg_monitor_password unset: Pigsty's default, replaced as its problem asks",
  );
});
