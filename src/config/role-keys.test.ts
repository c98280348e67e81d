import assert from "node:assert/strict";
import { test } from "node:test";
import { ExitCode, PgwardenError } from "../errors.js";
import { parseInventory } from "./load-inventory.js";

const HEAD = `all:
  children:
    pg-meta:
      hosts:
        10.10.10.10: { pg_seq: 1, pg_role: primary }
      vars:
        pg_cluster: pg-meta
`;

function configError(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseInventory(text, "pigsty.yml"),
    (error: unknown) => {
      assert.ok(error instanceof PgwardenError);
      assert.equal(error.exitCode, ExitCode.config);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test("pg_users entries keep the shape they were written in, with where they were written", () => {
  const inventory = parseInventory(
    `${HEAD}        pg_users:
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
  });
  assert.equal(users[1]?.expire_at, "2030-12-31", "YAML 1.1 reads the date as a timestamp; it is kept as the date");
  assert.deepEqual(users[1]?.source, { file: "pigsty.yml", line: 10 });
  assert.deepEqual(inventory.vars.pg_admin_password, { file: "secrets/admin.txt", source: { file: "pigsty.yml", line: 15 } });
  assert.equal(inventory.vars.pg_monitor_password, "plain-Monitor-1");
});

test("bad role entries are file:line: path: message, exit 3", () => {
  const users = (entry: string) => `${HEAD}        pg_users:\n          - ${entry}\n`;
  configError(users("{ password: x }"), /^pigsty\.yml:9: all\.children\.pg-meta\.vars\.pg_users\[0\]\.name: expected a string, got nothing$/);
  configError(users("{ name: '' }"), /^pigsty\.yml:9: all\.children\.pg-meta\.vars\.pg_users\[0\]\.name: expected a role name, got an empty string$/);
  configError(users(`{ name: ${"x".repeat(64)} }`), /pg_users\[0\]\.name: a role name is limited to 63 bytes/);
  // A password in the wrong form is still a password: the message says its kind, never its value.
  configError(users("{ name: app, password: 12345678 }"), /^pigsty\.yml:9: .*pg_users\[0\]\.password: expected a password: a quoted string .*, got a number$/);
  configError(`${HEAD}        pg_admin_password: 123456789012\n`, /^(?!.*123456789012).*pg_admin_password: expected a password.*, got a number$/);
  // YAML 1.1 would read an unquoted impossible date as the next month's; it is refused as written.
  configError(users("{ name: app, expire_at: 2031-02-30 }"), /pg_users\[0\]\.expire_at: "2031-02-30" is not a calendar date$/);
  configError(users("{ name: app, password: { vault: x } }"), /pg_users\[0\]\.password: expected a password/);
  configError(users("{ name: app, state: deleted }"), /pg_users\[0\]\.state: invalid state "deleted": use create or absent$/);
  configError(users("{ name: app, connlimit: -2 }"), /pg_users\[0\]\.connlimit: must be at least -1, got number -2$/);
  configError(users("{ name: app, expire_at: '2030-02-30' }"), /pg_users\[0\]\.expire_at: "2030-02-30" is not a calendar date$/);
  configError(users("{ name: app, expire_at: next year }"), /pg_users\[0\]\.expire_at: expected a date, YYYY-MM-DD, got string "next year"$/);
  configError(users("{ name: app, login: maybe }"), /pg_users\[0\]\.login: expected a boolean/);
  configError(users("{ name: app, roles: [ { name: x, state: maybe } ] }"), /pg_users\[0\]\.roles\[0\]: expected a role name or \{name: ROLE, state: grant\|revoke\}/);
  configError(users("{ name: app, parameters: { 'search path; DROP': x } }"), /pg_users\[0\]\.parameters\["search path; DROP"\]: "search path; DROP" is not a parameter name/);
  configError(`${HEAD}        pg_users: { name: app }\n`, /pg_users: expected a list, got a mapping$/);
});

test("pg_default_privileges entries are checked where they are written", () => {
  const privileges = (entry: string) => `${HEAD}        pg_default_privileges:\n          - GRANT SELECT ON TABLES TO dbrole_readonly\n          - ${entry}\n`;
  assert.doesNotThrow(() => parseInventory(privileges("REVOKE ALL ON FUNCTIONS FROM PUBLIC"), "pigsty.yml"));
  configError(privileges("GRANT EXECUTE ON TABLES TO dbrole_readonly"), /^pigsty\.yml:10: all\.children\.pg-meta\.vars\.pg_default_privileges\[1\]: EXECUTE is not a privilege on tables/);
  configError(privileges("GRANT SELECT ON TABLES dbrole_readonly"), /pg_default_privileges\[1\]: expected GRANT <privileges> ON/);
  configError(privileges("GRANT SELECT ON TABLES TO dbrole_readonly; DROP ROLE x"), /pg_default_privileges\[1\]: .* is not a role name/);
});
