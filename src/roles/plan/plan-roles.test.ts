import assert from "node:assert/strict";
import { test } from "node:test";

import { parseDefaultPrivilege } from "../../config/default-privilege.js";
import { ExitCode, PgwardenError } from "../../core/errors.js";
import type { DesiredRole } from "../desired-role.js";
import { md5Secret } from "../md5.js";
import type { CatalogRole, RoleCatalog } from "../role-catalog.js";
import type { RoleModel } from "../role-model.js";
import { desiredParameter } from "../role-parameter.js";
import { parseScramVerifier, scramMatches, scramVerifier } from "../scram.js";
import { planRoles } from "./plan-roles.js";

const SALT = Buffer.alloc(16, 7);
const options = { salt: () => SALT };

const desired = (name: string, over: Partial<DesiredRole> = {}): DesiredRole => ({
  name,
  state: "create",
  source: { file: "pigsty.yml", line: 10 },
  system: false,
  attributes: {},
  memberships: [],
  parameters: [],
  comment: `business user ${name}`,
  ...over,
});

const model = (roles: DesiredRole[], over: Partial<RoleModel> = {}): RoleModel => ({
  cluster: "pg-test",
  roles,
  defaultPrivileges: [],
  privilegeOwners: [],
  passwordEncryption: "scram-sha-256",
  warnings: [],
  problems: [],
  ...over,
});

const live = (name: string, over: Partial<CatalogRole> = {}): CatalogRole => ({
  name,
  attributes: {
    login: true,
    superuser: false,
    createdb: false,
    createrole: false,
    inherit: true,
    replication: false,
    bypassrls: false,
  },
  connectionLimit: -1,
  secret: null,
  validUntil: null,
  comment: `business user ${name}`,
  settings: {},
  memberOf: [],
  dependents: [],
  ...over,
});

const catalog = (roles: CatalogRole[], over: Partial<RoleCatalog> = {}): RoleCatalog => ({
  currentUser: "postgres",
  sessionUser: "postgres",
  bootstrapSuperuser: "postgres",
  now: new Date("2026-06-01T12:00:00Z"),
  database: "postgres",
  roles: new Map(roles.map((role) => [role.name, role])),
  defaultAcl: [],
  publicSchema: { exists: true, publicCreate: false },
  ...over,
});

const plaintext = (value: string) => ({ kind: "plaintext" as const, value, from: "pg_users" });
const sqlOf = (roleModel: RoleModel, roleCatalog: RoleCatalog, planOptions = options) =>
  planRoles(roleModel, roleCatalog, planOptions).changes.map((change) => change.sql);

function configError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(
    fn,
    (error: unknown) =>
      error instanceof PgwardenError && error.exitCode === ExitCode.config && pattern.test(error.message),
  );
}

test("a new role: CREATE ROLE with its attributes and a verifier (shown masked), then comment, then membership", () => {
  const app = desired("app", {
    attributes: { createdb: true },
    connectionLimit: 5,
    validUntil: "2030-12-31",
    password: plaintext("Kite-Runner-41"),
    memberships: [{ role: "dbrole_readwrite", state: "grant" }],
  });
  const plan = planRoles(
    model([app]),
    catalog([live("dbrole_readwrite", { attributes: { ...live("x").attributes, login: false } })]),
    options,
  );
  assert.deepEqual(
    plan.changes.map((change) => [change.kind, change.sql]),
    [
      [
        "create-role",
        `CREATE ROLE "app" LOGIN CREATEDB CONNECTION LIMIT 5 VALID UNTIL '2030-12-31 00:00:00+00' PASSWORD <masked>`,
      ],
      ["comment", `COMMENT ON ROLE "app" IS 'business user app'`],
      ["grant-membership", `GRANT "dbrole_readwrite" TO "app"`],
    ],
  );
  const verifier = scramVerifier("Kite-Runner-41", { salt: SALT });
  assert.equal(
    plan.changes[0]?.statement(),
    `CREATE ROLE "app" LOGIN CREATEDB CONNECTION LIMIT 5 VALID UNTIL '2030-12-31 00:00:00+00' PASSWORD '${verifier}'`,
  );
  assert.ok(
    !plan.changes.some((change) => change.statement().includes("Kite-Runner-41")),
    "the plaintext is in no statement",
  );
  assert.equal(
    plan.changes[0]?.summary,
    "create role app (login, createdb, connection limit 5, valid until 2030-12-31, password)",
  );
});

test("login: false and inherit: false are written as they must be; NOLOGIN is CREATE ROLE's default", () => {
  assert.deepEqual(
    sqlOf(model([desired("readers", { attributes: { login: false, inherit: false } })]), catalog([])).slice(0, 1),
    [`CREATE ROLE "readers" NOINHERIT`],
  );
});

test("one attribute that differs is one ALTER ROLE with only that attribute; unstated ones are left alone", () => {
  const roleCatalog = catalog([
    live("app", { attributes: { ...live("app").attributes, createdb: false, createrole: true } }),
  ]);
  const plan = planRoles(
    model([desired("app", { attributes: { createdb: true, login: true } })]),
    roleCatalog,
    options,
  );
  assert.deepEqual(
    plan.changes.map((change) => [change.sql, change.summary]),
    [[`ALTER ROLE "app" CREATEDB`, "alter role app: createdb no -> yes"]],
  );
  assert.deepEqual(
    sqlOf(model([desired("app", { connectionLimit: 10 })]), catalog([live("app", { connectionLimit: 3 })])),
    [`ALTER ROLE "app" CONNECTION LIMIT 10`],
  );
});

test("memberships: declared grants the role lacks, declared revokes it has; others are left alone", () => {
  const roles = ["a", "b", "c", "d", "e"].map((name) => live(name));
  const app = desired("app", {
    memberships: [
      { role: "a", state: "grant" },
      { role: "c", state: "grant" },
      { role: "b", state: "revoke" },
      { role: "d", state: "revoke" },
    ],
  });
  assert.deepEqual(sqlOf(model([app]), catalog([...roles, live("app", { memberOf: ["a", "b", "e"] })])), [
    `GRANT "c" TO "app"`,
    `REVOKE "b" FROM "app"`,
  ]);
  configError(
    () => planRoles(model([desired("app", { memberships: [{ role: "nobody", state: "grant" }] })]), catalog([])),
    /^pigsty\.yml:10: app: roles: role "nobody" does not exist and is not declared in pg_default_roles or pg_users$/,
  );
  configError(
    () =>
      planRoles(
        model([
          desired("app", { memberships: [{ role: "gone", state: "grant" }] }),
          desired("gone", { state: "absent" }),
        ]),
        catalog([live("gone")]),
      ),
    /app: roles: role "gone" is declared state: absent$/,
  );
});

test("the same password is no change (recomputed with the stored salt and iterations); a new one is one ALTER with a fresh verifier", () => {
  const stored = scramVerifier("Same-Password-1");
  const roleCatalog = catalog([live("app", { secret: stored })]);
  assert.deepEqual(sqlOf(model([desired("app", { password: plaintext("Same-Password-1") })]), roleCatalog), []);

  const plan = planRoles(model([desired("app", { password: plaintext("New-Password-2") })]), roleCatalog, {});
  assert.equal(plan.changes.length, 1);
  const change = plan.changes[0];
  assert.equal(change?.sql, `ALTER ROLE "app" PASSWORD <masked>`);
  assert.equal(change?.summary, "alter role app: password differs from the stored one");
  const sent = parseScramVerifier(/PASSWORD '(.+)'$/.exec(change?.statement() ?? "")?.[1] ?? "");
  assert.ok(sent, "the statement carries a verifier");
  assert.equal(sent.iterations, 4096);
  assert.equal(sent.salt.length, 16);
  assert.ok(scramMatches("New-Password-2", sent) && !scramMatches("Same-Password-1", sent));
});

test("stored secrets that fall short: md5, no password, fewer iterations; pre-hashed secrets compare as strings; pg_pwd_enc md5", () => {
  const summary = (password: DesiredRole["password"], secret: string | null, iterations?: number) =>
    planRoles(model([desired("app", { password })]), catalog([live("app", { secret })]), {
      ...options,
      scramIterations: iterations,
    }).changes.map((change) => change.summary);
  assert.deepEqual(summary(plaintext("Pass-Word-1"), md5Secret("Pass-Word-1", "app")), [
    "alter role app: password stored as md5 (or unknown): now SCRAM-SHA-256",
  ]);
  assert.deepEqual(summary(plaintext("Pass-Word-1"), null), ["alter role app: password set (none stored)"]);
  assert.deepEqual(summary(plaintext("Pass-Word-1"), scramVerifier("Pass-Word-1", { iterations: 4096 }), 10000), [
    "alter role app: password re-hashed: the stored verifier has 4096 iterations, fewer than 10000",
  ]);
  assert.deepEqual(
    summary(plaintext("Pass-Word-1"), scramVerifier("Pass-Word-1", { iterations: 10000 })),
    [],
    "more iterations than asked are kept",
  );
  const secret = scramVerifier("whatever");
  assert.deepEqual(summary({ kind: "scram", secret, from: "pg_users" }, secret), []);
  assert.deepEqual(
    summary({ kind: "scram", secret, from: "pg_users" }, scramVerifier("whatever")),
    ["alter role app: password replaced by the declared secret"],
    "the same password under another salt is another secret",
  );
  const md5Model = model([desired("app", { password: plaintext("Pass-Word-1") })], { passwordEncryption: "md5" });
  assert.deepEqual(
    planRoles(md5Model, catalog([live("app", { secret: md5Secret("Pass-Word-1", "app") })])).changes,
    [],
  );
  assert.equal(
    planRoles(md5Model, catalog([live("app")])).changes[0]?.statement(),
    `ALTER ROLE "app" PASSWORD '${md5Secret("Pass-Word-1", "app")}'`,
  );
});

test("expiry compares by day; parameters set and reset; the comment is kept in sync", () => {
  assert.deepEqual(
    sqlOf(model([desired("app", { validUntil: "2030-12-31" })]), catalog([live("app", { validUntil: "2030-12-31" })])),
    [],
  );
  assert.deepEqual(
    sqlOf(model([desired("app", { validUntil: "2030-12-31" })]), catalog([live("app", { validUntil: "infinity" })])),
    [`ALTER ROLE "app" VALID UNTIL '2030-12-31 00:00:00+00'`],
  );
  const parameters = desired("app", {
    parameters: [
      { name: "search_path", value: ["app", "public"] },
      { name: "statement_timeout", value: "30s" },
      { name: "work_mem", value: null },
    ],
    comment: "it's the app",
  });
  assert.deepEqual(
    sqlOf(
      model([parameters]),
      catalog([live("app", { settings: { search_path: "app, public", statement_timeout: "5s", work_mem: "64MB" } })]),
    ),
    [
      `ALTER ROLE "app" SET "statement_timeout" = '30s'`,
      `ALTER ROLE "app" RESET "work_mem"`,
      `COMMENT ON ROLE "app" IS 'it''s the app'`,
    ],
  );
});

test("an empty comment is no comment, as PostgreSQL keeps it: planned once to clear one, then nothing", () => {
  assert.deepEqual(sqlOf(model([desired("app", { comment: "" })]), catalog([live("app", { comment: null })])), []);
  assert.deepEqual(sqlOf(model([desired("app", { comment: "" })]), catalog([live("app", { comment: "old words" })])), [
    `COMMENT ON ROLE "app" IS NULL`,
  ]);
});

test("state: absent drops a role that exists, last; refuses one that owns objects, the connection's own role and pg_ roles", () => {
  const roleCatalog = catalog([live("old_app"), live("app")]);
  assert.deepEqual(
    sqlOf(
      model([desired("old_app", { state: "absent" }), desired("app", { attributes: { createdb: true } })]),
      roleCatalog,
    ),
    [`ALTER ROLE "app" CREATEDB`, `DROP ROLE "old_app"`],
  );
  assert.deepEqual(sqlOf(model([desired("never_was", { state: "absent" })]), roleCatalog), []);
  const owner = live("owner", {
    dependents: [
      { database: "app", owned: 3, privileges: 0 },
      { database: "", owned: 1, privileges: 0 },
      { database: "postgres", owned: 0, privileges: 1 },
    ],
  });
  configError(
    () => planRoles(model([desired("owner", { state: "absent" })]), catalog([owner])),
    /^pigsty\.yml:10: owner: state: absent, but pgwarden will not drop it: it owns 3 objects in database app; owns 1 object in shared objects \(databases, tablespaces\); holds privileges on 1 object in database postgres: reassign or drop those first/,
  );
  configError(
    () => planRoles(model([desired("admin", { state: "absent" })]), catalog([live("admin")], { currentUser: "admin" })),
    /it is the role this connection uses/,
  );
  // postgres is never dropped, even when the inventory's dbsu is another role and another role connects.
  configError(
    () =>
      planRoles(
        model([desired("postgres", { state: "absent" })]),
        catalog([live("postgres")], { currentUser: "pgdbsu" }),
      ),
    /postgres: state: absent, but pgwarden will not drop it: it is a system user/,
  );
  configError(
    () => planRoles(model([desired("pg_monitor", { state: "absent" })]), catalog([live("pg_monitor")])),
    /pg_ roles are PostgreSQL's own/,
  );
  // The bootstrap superuser under another name, and the login role behind a SET ROLE, are never dropped either.
  const elsewhere = { currentUser: "dbuser_dba", sessionUser: "jump", bootstrapSuperuser: "initdb_su" };
  const dropping = (name: string) => () =>
    planRoles(model([desired(name, { state: "absent" })]), catalog([live(name)], elsewhere));
  configError(dropping("initdb_su"), /it is the bootstrap superuser \(oid 10\)/);
  configError(dropping("jump"), /it is the role this connection logged in as/);
  configError(
    () => planRoles(model([desired("dbuser_dba", { state: "absent", system: true })]), catalog([live("dbuser_dba")])),
    /it is a system user/,
  );
});

test("default privileges: only what is missing, per owner; a new owner starts from PostgreSQL's hard-wired defaults", () => {
  const entries = [
    "GRANT SELECT ON TABLES TO readers",
    "GRANT INSERT ON TABLES TO readers",
    "GRANT CREATE ON SCHEMAS TO admins",
    "REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
  ].map(parseDefaultPrivilege);
  const roleCatalog = catalog([live("postgres"), live("readers")], {
    defaultAcl: [
      { owner: "postgres", objectType: "r", privilege: "SELECT", grantee: "readers" },
      { owner: "postgres", objectType: "f", privilege: "EXECUTE", grantee: null },
    ],
  });
  const plan = planRoles(
    model([desired("admins")], {
      defaultPrivileges: entries,
      privilegeOwners: ["postgres", "admins", "missing_owner"],
    }),
    roleCatalog,
    options,
  );
  assert.deepEqual(
    plan.changes.filter((change) => change.kind.endsWith("default-privilege")).map((change) => change.sql),
    [
      `ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" GRANT INSERT ON TABLES TO "readers"`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" GRANT CREATE ON SCHEMAS TO "admins"`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "admins" GRANT SELECT, INSERT ON TABLES TO "readers"`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "admins" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`,
    ],
    "admins already holds CREATE on its own schemas",
  );
  assert.deepEqual(plan.warnings, [
    "default privileges FOR ROLE missing_owner are not planned: missing_owner does not exist and is not declared",
  ]);
  configError(
    () =>
      planRoles(
        model([], {
          defaultPrivileges: [parseDefaultPrivilege("GRANT SELECT ON TABLES TO nobody")],
          privilegeOwners: ["postgres"],
        }),
        catalog([live("postgres")]),
      ),
    /pg_default_privileges "GRANT SELECT ON TABLES TO nobody": role "nobody" does not exist/,
  );
});

test("CREATE on schema public is revoked from PUBLIC when PUBLIC has it; an up-to-date catalog plans nothing", () => {
  assert.deepEqual(sqlOf(model([]), catalog([], { publicSchema: { exists: true, publicCreate: true } })), [
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
  ]);
  assert.deepEqual(sqlOf(model([]), catalog([], { publicSchema: { exists: false, publicCreate: false } })), []);
  const app = desired("app", {
    attributes: { login: true },
    password: plaintext("Kite-Runner-41"),
    memberships: [{ role: "r", state: "grant" }],
    comment: "c",
  });
  assert.deepEqual(
    sqlOf(
      model([app]),
      catalog([live("r"), live("app", { secret: scramVerifier("Kite-Runner-41"), memberOf: ["r"], comment: "c" })]),
    ),
    [],
  );
});

test("lockouts: the bootstrap superuser and the connected roles losing LOGIN, SUPERUSER, a current VALID UNTIL or their way in are marked", () => {
  const superuser = (name: string, over: Partial<CatalogRole> = {}) =>
    live(name, { attributes: { ...live(name).attributes, superuser: true }, ...over });
  const roles = [
    superuser("postgres"),
    superuser("dbuser_dba"),
    live("jump", { memberOf: ["dbuser_dba"] }),
    live("app"),
  ];
  const asJump = catalog(roles, { currentUser: "dbuser_dba", sessionUser: "jump" });
  const locksOut = (wanted: DesiredRole[], roleCatalog: RoleCatalog) =>
    planRoles(model(wanted), roleCatalog, options)
      .changes.filter((change) => change.locksOut !== undefined)
      .map((change) => [change.sql, change.locksOut]);
  assert.deepEqual(locksOut([desired("postgres", { attributes: { login: false } })], asJump), [
    [
      `ALTER ROLE "postgres" NOLOGIN`,
      "postgres is the bootstrap superuser (oid 10): NOLOGIN: no new session could log in as it",
    ],
  ]);
  assert.deepEqual(locksOut([desired("dbuser_dba", { attributes: { superuser: false } })], asJump), [
    [
      `ALTER ROLE "dbuser_dba" NOSUPERUSER`,
      "dbuser_dba is the role pgwarden is connected as: NOSUPERUSER: it would no longer be a superuser " +
        "(other login superusers remain: postgres; still refused, since pgwarden's own session and whoever connects as dbuser_dba would be cut off)",
    ],
  ]);
  // The server's clock decides, with a day to spare: at 12:00 on 2026-06-01, 2026-06-01 and 2026-06-02 (twelve hours away) are
  // too close, 2026-06-03 is not.
  assert.equal(locksOut([desired("postgres", { validUntil: "2026-06-01" })], asJump).length, 1);
  assert.match(
    String(locksOut([desired("postgres", { validUntil: "2026-06-02" })], asJump)[0]?.[1]),
    /VALID UNTIL 2026-06-02, not a day ahead/,
  );
  assert.deepEqual(locksOut([desired("postgres", { validUntil: "2026-06-03" })], asJump), []);
  // PostgreSQL does not apply a connection limit to superusers; jump logs in as itself, a plain role.
  assert.deepEqual(locksOut([desired("postgres", { connectionLimit: 0 })], asJump), []);
  assert.match(
    String(locksOut([desired("jump", { connectionLimit: 0 })], asJump)[0]?.[1]),
    /^jump is the role pgwarden is connected as: CONNECTION LIMIT 0/,
  );
  assert.deepEqual(locksOut([desired("jump", { memberships: [{ role: "dbuser_dba", state: "revoke" }] })], asJump), [
    [
      `REVOKE "dbuser_dba" FROM "jump"`,
      "jump is the role pgwarden logged in as and becomes dbuser_dba through this membership: it could no longer SET ROLE dbuser_dba",
    ],
  ]);
  // Any other role, or a change that takes nothing away, is not marked.
  assert.deepEqual(
    locksOut([desired("app", { attributes: { login: false }, validUntil: "2000-01-01", connectionLimit: 0 })], asJump),
    [],
  );
  assert.deepEqual(locksOut([desired("postgres", { attributes: { login: true, superuser: true } })], asJump), []);
  // Settings that stop every login (a missing preload library) or every change (read-only) of a protected role.
  const settings = [
    desiredParameter("session_preload_libraries", "nonexistent_lib"),
    desiredParameter("default_transaction_read_only", "on"),
  ];
  assert.deepEqual(
    locksOut([desired("postgres", { parameters: settings })], asJump).map(([, reason]) => reason),
    [
      "postgres is the bootstrap superuser (oid 10): SET session_preload_libraries: a library that fails to load fails every login as it",
      "postgres is the bootstrap superuser (oid 10): SET default_transaction_read_only: its sessions could change nothing, the next role apply included",
    ],
  );
  assert.deepEqual(
    locksOut([desired("app", { parameters: settings })], asJump),
    [],
    "on any other role they are the inventory's business",
  );
  const plan = planRoles(model([desired("postgres", { attributes: { login: false } })]), asJump, options);
  assert.match(
    plan.warnings.join("\n"),
    /^ALTER ROLE "postgres" NOLOGIN locks operators out: postgres is the bootstrap superuser /,
  );
  assert.match(plan.warnings.join("\n"), /; role apply refuses it without --force$/);
});

test("every role the plan refuses is reported, each at its own line, not only the first", () => {
  const at = (line: number) => ({ source: { file: "pigsty.yml", line } });
  const roles = [
    desired("app", { ...at(12), memberships: [{ role: "nobody", state: "grant" }] }),
    desired("fine", at(13)),
    desired("pg_monitor", { ...at(14), state: "absent" }),
    desired("report", { ...at(15), memberships: [{ role: "ghost", state: "grant" }] }),
  ];
  assert.throws(
    () => planRoles(model(roles), catalog([live("pg_monitor")]), options),
    (error: unknown) => {
      assert.ok(error instanceof PgwardenError);
      assert.equal(error.exitCode, ExitCode.config);
      assert.equal(error.message, "3 problems with the declared roles in pigsty.yml");
      assert.deepEqual(
        error.problems?.map((problem) => `${problem.line}: ${problem.message}`),
        [
          '12: app: roles: role "nobody" does not exist and is not declared in pg_default_roles or pg_users',
          "14: pg_monitor: state: absent, but pgwarden will not drop it: pg_ roles are PostgreSQL's own",
          '15: report: roles: role "ghost" does not exist and is not declared in pg_default_roles or pg_users',
        ],
      );
      return true;
    },
  );
});

test("new verifiers are made with the iterations asked for, and a count the CLI refuses stores no verifier", () => {
  const app = desired("app", { password: plaintext("Kite-Runner-41") });
  const plan = planRoles(model([app]), catalog([]), { ...options, scramIterations: 5000 });
  assert.match(plan.changes[0]?.statement() ?? "", /PASSWORD 'SCRAM-SHA-256\$5000:/);
  assert.throws(
    () => planRoles(model([app]), catalog([]), { ...options, scramIterations: 1 }),
    (error: unknown) => error instanceof PgwardenError && error.code === "bad-iterations" && error.exitCode === 2,
  );
});
