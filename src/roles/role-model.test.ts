import assert from "node:assert/strict";
import { test } from "node:test";
import { parseInventory } from "../config/load-inventory.js";
import { ExitCode, PgwardenError } from "../errors.js";
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
    model.roles.map((role) => [role.name, role.attributes, role.memberships.map((membership) => membership.role), role.comment]),
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
  assert.deepEqual(model.roles.find((role) => role.name === "dbuser_monitor")?.parameters, [{ name: "log_min_duration_statement", value: "1000" }]);
  assert.equal(model.defaultPrivileges.length, 17);
  assert.deepEqual(model.privilegeOwners, ["postgres", "dbuser_dba", "dbrole_admin"]);
  assert.deepEqual(
    model.roles.filter((role) => role.system).map((role) => role.name),
    ["postgres", "replicator", "dbuser_dba", "dbuser_monitor"],
  );
  assert.ok(model.roles.every((role) => role.state === "create"));
});

test("system users get pg_*_password (the inventory's, else Pigsty's), the dbsu none by default; pg_users passwords win", async () => {
  const model = await desiredRoleModel(inventory("        pg_users:\n          - { name: dbuser_monitor, password: Monitor-Own-1 }"), "pg-test", { env, now: NOW });
  const password = (name: string) => model.roles.find((role) => role.name === name)?.password;
  assert.deepEqual(password("dbuser_dba"), { kind: "plaintext", value: "Admin-From-Env-1", from: "pg_admin_password (env ADMIN_PASSWORD)", source: { file: "/etc/pigsty/pigsty.yml", line: 10 } });
  assert.equal(password("replicator")?.kind === "plaintext" && password("replicator")?.from, "pg_replication_password");
  assert.deepEqual(password("dbuser_monitor"), { kind: "plaintext", value: "Monitor-Own-1", from: "pg_users", source: { file: "/etc/pigsty/pigsty.yml", line: 8 } });
  assert.equal(password("postgres"), undefined, "pg_dbsu_password '' means no password");
  const monitor = model.roles.find((role) => role.name === "dbuser_monitor");
  assert.deepEqual([monitor?.memberships.map((membership) => membership.role), monitor?.comment], [["pg_monitor", "dbrole_readonly"], "pgsql monitor user"], "one role: pg_default_roles' entry, with what pg_users states over it");
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
  const soon = await desiredRoleModel(inventory("        pg_users: [ { name: app, expire_in: 10 } ]"), "pg-test", { env, now: NOW });
  assert.equal(soon.roles.find((role) => role.name === "app")?.validUntil, "2026-03-11");
});

test("the inventory's pg_default_roles replace Pigsty's; cluster vars win over global ones", async () => {
  const model = await desiredRoleModel(
    inventory("        pg_default_roles: [ { name: readers, login: false } ]\n        pg_admin_username: cluster_admin", "    pg_admin_username: global_admin\n    pg_dbsu: pgdbsu\n"),
    "pg-test",
    { env, now: NOW },
  );
  assert.deepEqual(
    model.roles.map((role) => role.name),
    ["readers"],
  );
  assert.deepEqual(model.privilegeOwners, ["pgdbsu", "cluster_admin", "dbrole_admin"]);
  assert.deepEqual(model.warnings, ["pg_admin_password is set, but pg_admin_username cluster_admin is in neither pg_default_roles nor pg_users: its password is not managed"], "only for what the inventory sets itself");
  const fromUsers = await desiredRoleModel(inventory("        pg_default_roles: []\n        pg_users: [ { name: dbuser_dba, superuser: true } ]"), "pg-test", { env, now: NOW });
  assert.equal(fromUsers.roles[0]?.password?.from, "pg_admin_password (env ADMIN_PASSWORD)", "a system user declared in pg_users gets its password");
});

test("a system user declared absent is refused (exit 3) naming the line; so is a role that is a member of itself", async () => {
  await assert.rejects(
    desiredRoleModel(inventory("        pg_users: [ { name: dbuser_dba, state: absent } ]"), "pg-test", { env, now: NOW }),
    (error: unknown) => error instanceof PgwardenError && error.exitCode === ExitCode.config && /^\/etc\/pigsty\/pigsty\.yml:7: dbuser_dba is a system user .* state: absent is refused$/.test(error.message),
  );
  await assert.rejects(desiredRoleModel(inventory("        pg_users: [ { name: app, roles: [app] } ]"), "pg-test", { env, now: NOW }), /pg_users app: a role cannot be a member of itself/);
  await assert.rejects(desiredRoleModel(inventory(""), "pg-test", { env: {}, now: NOW }), /pigsty\.yml:9: pg_admin_password \(dbuser_dba\): the environment variable ADMIN_PASSWORD is not set/);
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
    assert.deepEqual(each.source, entry, `${each.name} comes from Pigsty's pg_default_roles, in force at pg-test's entry`);
    assert.equal(each.pigstyDefault, "pg_default_roles");
  }
  const replicator = role("replicator")?.password;
  assert.deepEqual([replicator?.source, replicator?.pigstyDefault], [entry, "pg_replication_password"], "an unset system password: at the cluster's entry");
  const monitor = role("dbuser_monitor")?.password;
  const monitorLine = { file: "pigsty.yml", line: line("pg_monitor_password") };
  assert.deepEqual([monitor?.source, monitor?.pigstyDefault], [monitorLine, undefined], "a password the inventory sets as text: its line");

  const redeclaring = parseInventory(text("        pg_users: [ { name: dbuser_monitor, comment: mine } ]"), "pigsty.yml");
  const own = await desiredRoleModel(redeclaring, "pg-test", { env, now: NOW });
  const redeclared = own.roles.find((each) => each.name === "dbuser_monitor");
  assert.deepEqual([redeclared?.source?.line, redeclared?.pigstyDefault], [7, undefined], "a default role declared again: at its own entry");
});

test("every unreadable password and refused entry is reported together, each at its line, not only the first", async () => {
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
  await assert.rejects(desiredRoleModel(parseInventory(text, "/etc/pigsty/pigsty.yml"), "pg-test", { env: {}, now: NOW }), (error: unknown) => {
    assert.ok(error instanceof PgwardenError);
    assert.equal(error.exitCode, ExitCode.config);
    assert.equal(error.message, "4 problems with the declared roles in /etc/pigsty/pigsty.yml");
    assert.deepEqual(
      error.problems?.map((problem) => [problem.line, problem.message.replace(/ \/etc\/pigsty\/missing\.pw /, " F ")]),
      [
        [line("NOT_SET_APP"), "pg_users app: password: the environment variable NOT_SET_APP is not set"],
        [line("missing.pw"), "pg_users report: password: the password file F does not exist"],
        [line("name: dbuser_dba"), "dbuser_dba is a system user (the dbsu, replicator, monitor or admin user): pgwarden never drops it, so state: absent is refused"],
        [line("NOT_SET_ADMIN"), "pg_admin_password (dbuser_dba): the environment variable NOT_SET_ADMIN is not set"],
      ],
    );
    return true;
  });
});
