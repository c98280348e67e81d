import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";

// Nothing listens on port 1: a command that connected before checking the names would exit 5, not 3.
const NO_SERVER = "postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2";

/** An inventory whose pg_users entry on line 7 is named `name`, or whose admin user (line 9) is. */
function inventory(user: string, admin = "dbuser_dba"): string {
  return `all:
  children:
    pg-meta:
      hosts: { 127.0.0.1: { pg_seq: 1, pg_role: primary } }
      vars:
        pg_cluster: pg-meta
        pg_users: [ { name: ${JSON.stringify(user)}, password: { env: NOT_READ } } ]
  vars:
    pg_admin_username: ${JSON.stringify(admin)}
    pg_admin_password: { env: NOT_READ }
    pg_monitor_password: { env: NOT_READ }
    pg_replication_password: { env: NOT_READ }
`;
}

const LONG = "x".repeat(64);
const REFUSED: readonly (readonly [string, RegExp])[] = [
  ["pg_x", /starts with "pg_", which PostgreSQL reserves for its own roles/],
  ["public", /is reserved: PostgreSQL refuses it as a role name/],
  ["current_user", /is a keyword: written without quotes .* it means the session.s role/],
  [LONG, /is longer than 63 bytes, so PostgreSQL would truncate it/],
];

describe("role names PostgreSQL refuses are refused offline, at their line, with exit 3", () => {
  let dir = "";
  let cleanup: () => Promise<void> = () => Promise.resolve();
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  const commands = (path: string): readonly (readonly string[])[] => [
    ["role", "plan", "--inventory", path, "--cluster", "pg-meta", "--conn", NO_SERVER],
    ["hba", "render", "--inventory", path, "--cluster", "pg-meta"],
    ["hba", "lint", "--inventory", path, "--cluster", "pg-meta"],
  ];

  for (const [name, message] of REFUSED) {
    test(`a pg_users entry named ${name.length > 20 ? "with 64 bytes" : name}: role plan, hba render and lint`, async () => {
      const path = await file(`user-${name.slice(0, 12)}.yml`, inventory(name));
      for (const args of commands(path)) {
        const result = await pgwarden(args, { env: { NOT_READ: "Secret-Pass-1234" } });
        assert.equal(result.code, 3, `${args.join(" ")}: ${result.stderr}`);
        assert.match(
          result.stderr,
          /:7: all\.children\.pg-meta\.vars\.pg_users\[0\]\.name: role name "/,
          args.join(" "),
        );
        assert.match(result.stderr, message, args.join(" "));
        assert.equal(result.stdout, "", args.join(" "));
      }
    });
  }

  test("a system user named pg_x (pg_admin_username) is refused at its line too", async () => {
    const path = await file("admin-pg.yml", inventory("dbuser_app", "pg_admin"));
    for (const args of commands(path)) {
      const result = await pgwarden(args);
      assert.equal(result.code, 3, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /:9: all\.vars\.pg_admin_username: role name "pg_admin" starts with "pg_"/);
    }
  });

  for (const fine of ["dbuser_pg_x", "PG_Mixed", "Public"]) {
    test(`a name CREATE ROLE accepts (${fine}) passes the same offline checks: render and lint succeed, role plan gets as far as connecting`, async () => {
      const path = await file(`fine-${fine}.yml`, inventory(fine));
      const [plan, render, lint] = await Promise.all(
        commands(path).map((args) => pgwarden(args, { env: { NOT_READ: "Secret-Pass-1234" } })),
      );
      assert.equal(plan?.code, 5, plan?.stderr);
      assert.equal(render?.code, 0, render?.stderr);
      assert.match(render?.stdout ?? "", /dbuser_dba/);
      assert.notEqual(lint?.code, 3, lint?.stderr);
      assert.notEqual(lint?.code, 70, lint?.stderr);
    });
  }
});
