import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { type LiteralFact, role, runOnFacts } from "../../../../test/support/literal-facts.js";
import { type AuditCheck, type FindingDraft } from "../../audit-check.js";
import {
  type DatabaseCatalog,
  databaseCatalogFact,
  type RoutineSeen,
  type UntrustedLanguage,
} from "../../facts/database-catalog.js";
import { type DatabaseNotExamined, type PerDatabase } from "../../facts/databases.js";
import { rolesFact } from "../../facts/roles.js";
import { appRoleAttributes } from "./app-role-attributes.js";
import { dangerousPredefinedMembers } from "./dangerous-predefined-members.js";
import { databasesNotExamined } from "./databases-not-examined.js";
import { type InventoryUsers, inventoryUsersFact } from "./facts/inventory-users.js";
import { type LoginSuperuser, loginSuperusersFact } from "./facts/login-superusers.js";
import { type WalSender, walSendersFact } from "./facts/wal-senders.js";
import { ROLES_CHECKS } from "./index.js";
import { manyLoginSuperusers } from "./many-login-superusers.js";
import { noReplicationUser } from "./no-replication-user.js";
import { publicSchemaCreate } from "./public-schema-create.js";
import { publicTablePrivileges } from "./public-table-privileges.js";
import { rlsPoliciesUnenforced } from "./rls-policies-unenforced.js";
import { securityDefinerPublic } from "./security-definer-public.js";
import { inDatabaseFix, routineName } from "./sql-names.js";
import { untrustedLanguages } from "./untrusted-languages.js";

type FactValue = LiteralFact;

const NOW = new Date("2026-12-05T00:00:00Z");

/** The check's findings on literal facts, each of which it must declare; no roles check sees a certificate. */
async function run(check: AuditCheck, ...facts: FactValue[]): Promise<readonly FindingDraft[]> {
  for (const [fact] of facts)
    assert.ok(
      [...check.facts, ...(check.optionalFacts ?? [])].some((declared) => declared.id === fact.id),
      `${check.id} declares ${fact.id}`,
    );
  const { drafts, sightings } = await runOnFacts(check, facts, NOW);
  assert.deepEqual(sightings, [], "no roles check sees a certificate");
  return drafts;
}

const subjects = (findings: readonly FindingDraft[]) => findings.map((finding) => finding.subject);

function superuser(name: string, oid: number, hasPassword: boolean | null): LoginSuperuser {
  return { name, oid, bootstrap: oid === 10, hasPassword };
}

function sender(user: string, isSuperuser: boolean): WalSender {
  return { user, superuser: isSuperuser, applicationName: "standby1", clientAddress: "127.0.0.1", state: "streaming" };
}

/** A roles fact with no role but the superusers: enough for the checks that also read memberships. */
const NO_ROLES: FactValue = [rolesFact, []];

const INVENTORY: InventoryUsers = {
  replication: "replicator",
  admin: "dbuser_dba",
  dbsu: "postgres",
  file: "pigsty.yml",
};

const EMPTY_CATALOG: DatabaseCatalog = {
  schemasOpenToPublic: [],
  securityDefinersWithoutSearchPath: [],
  untrustedLanguages: [],
  relationsOpenToPublic: [],
  unenforcedPolicies: [],
};

function catalogs(
  seen: Record<string, Partial<DatabaseCatalog>>,
  notExamined: readonly DatabaseNotExamined[] = [],
): FactValue {
  const value: PerDatabase<DatabaseCatalog> = {
    seen: Object.entries(seen).map(([database, catalog]) => ({ database, value: { ...EMPTY_CATALOG, ...catalog } })),
    notExamined,
  };
  return [databaseCatalogFact, value];
}

function routine(name: string, attributes: Partial<RoutineSeen> = {}): RoutineSeen {
  return {
    schema: "public",
    name,
    arguments: "",
    owner: "postgres",
    ownerSuperuser: true,
    language: "sql",
    extension: null,
    ...attributes,
  };
}

describe("roles family", () => {
  test("every check is in the family's list once, with a roles/ id, the access-control layer and a CIS section or none", () => {
    const ids = ROLES_CHECKS.map((check) => check.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const check of ROLES_CHECKS) {
      assert.match(check.id, /^roles\/[a-z-]+$/);
      assert.equal(check.layer, "access-control");
      assert.equal(check.scope, "server");
    }
  });

  test("sql-names quote every name as an identifier, so a fix names exactly the object seen", () => {
    assert.equal(inDatabaseFix('we"ird db', ["SELECT 1;"]), '\\connect "we""ird db"\nSELECT 1;');
    assert.equal(
      routineName(routine("f", { schema: "My Schema", arguments: "a integer, b text" })),
      '"My Schema"."f"(a integer, b text)',
    );
  });
});

describe("roles/many-login-superusers", () => {
  test("silent with a passwordless bootstrap superuser and one administrative superuser (Pigsty's postgres + dbuser_dba)", async () => {
    const facts: FactValue = [
      loginSuperusersFact,
      [superuser("postgres", 10, false), superuser("dbuser_dba", 16384, true)],
    ];
    assert.deepEqual(await run(manyLoginSuperusers, NO_ROLES, facts), []);
  });

  test("silent with a single superuser, even one with a password", async () => {
    assert.deepEqual(
      await run(manyLoginSuperusers, NO_ROLES, [loginSuperusersFact, [superuser("postgres", 10, true)]]),
      [],
    );
  });

  test("a second administrative superuser: the newer one is the finding, with NOSUPERUSER as its fix", async () => {
    const findings = await run(manyLoginSuperusers, NO_ROLES, [
      loginSuperusersFact,
      [superuser("postgres", 10, false), superuser("auditor", 16384, true), superuser("dba", 16390, true)],
    ]);
    assert.deepEqual(subjects(findings), ["dba"]);
    assert.match(findings[0]?.fix ?? "", /^ALTER ROLE "dba" NOSUPERUSER;/);
    assert.match(findings[0]?.message ?? "", /beside auditor/);
  });

  test("a bootstrap superuser with a password counts, and is kept: it cannot lose SUPERUSER", async () => {
    const findings = await run(manyLoginSuperusers, NO_ROLES, [
      loginSuperusersFact,
      [superuser("postgres", 10, true), superuser("admin", 16384, true)],
    ]);
    assert.deepEqual(subjects(findings), ["admin"]);
  });

  test("when pg_authid is not readable, the bootstrap superuser counts (its password is unknown), and the evidence says so", async () => {
    const findings = await run(manyLoginSuperusers, NO_ROLES, [
      loginSuperusersFact,
      [superuser("postgres", 10, null), superuser("admin", 16384, null)],
    ]);
    assert.deepEqual(subjects(findings), ["admin"]);
    assert.match(findings[0]?.evidence[0]?.value ?? "", /password unknown/);
  });

  test("with an inventory its admin user is kept, and a bootstrap superuser with a password loses the password", async () => {
    const findings = await run(
      manyLoginSuperusers,
      NO_ROLES,
      [loginSuperusersFact, [superuser("postgres", 10, true), superuser("dbuser_dba", 16384, true)]],
      [inventoryUsersFact, INVENTORY],
    );
    assert.deepEqual(subjects(findings), ["postgres"]);
    assert.match(findings[0]?.fix ?? "", /^ALTER ROLE "postgres" PASSWORD NULL;/);
  });

  test("a login member of a superuser role counts (it may SET ROLE), and its fix revokes the membership it holds", async () => {
    const roles = [
      role("admins", { login: false, superuser: true }),
      role("ops", { login: false, memberOf: ["admins"] }),
      role("alice", { memberOf: ["ops"], inherit: false }),
      role("bob", { memberOf: ["ops"], login: false }),
    ];
    const findings = await run(
      manyLoginSuperusers,
      [rolesFact, roles],
      [loginSuperusersFact, [superuser("postgres", 10, false), superuser("dba", 16384, true)]],
    );
    assert.deepEqual(subjects(findings), ["alice"]);
    assert.equal(findings[0]?.fix, 'REVOKE "ops" FROM "alice";');
    assert.match(findings[0]?.evidence[0]?.value ?? "", /member of ops -> member of admins \(a superuser role\)/);
  });

  test("a single admin who logs in as itself and may SET ROLE to a superuser role is the one kept", async () => {
    const roles = [role("admins", { login: false, superuser: true }), role("alice", { memberOf: ["admins"] })];
    const facts: FactValue = [loginSuperusersFact, [superuser("postgres", 10, false)]];
    assert.deepEqual(await run(manyLoginSuperusers, [rolesFact, roles], facts), []);
  });
});

describe("roles/app-role-attributes", () => {
  test("CREATEROLE and BYPASSRLS on a login role are found, and the fix removes exactly those", async () => {
    const findings = await run(appRoleAttributes, [
      rolesFact,
      [role("app", { createRole: true, bypassRls: true, createDb: true })],
    ]);
    assert.deepEqual(subjects(findings), ["app"]);
    assert.equal(findings[0]?.fix, 'ALTER ROLE "app" NOCREATEROLE NOBYPASSRLS;');
  });

  test("silent on superusers, on roles that cannot log in and on roles with none of the three", async () => {
    const roles = [
      role("admin", { superuser: true, createRole: true, bypassRls: true, replication: true }),
      role("owners", { login: false, createRole: true }),
      role("app", { createDb: true }),
    ];
    assert.deepEqual(await run(appRoleAttributes, [rolesFact, roles]), []);
  });

  test("without an inventory, REPLICATION alone marks the replication user; with CREATEROLE it is an application role's", async () => {
    const roles = [role("replicator", { replication: true }), role("etl", { replication: true, createRole: true })];
    const findings = await run(appRoleAttributes, [rolesFact, roles]);
    assert.deepEqual(subjects(findings), ["etl"]);
    assert.equal(findings[0]?.fix, 'ALTER ROLE "etl" NOCREATEROLE NOREPLICATION;');
  });

  test("a role seen streaming is the replication user: only its BYPASSRLS is found", async () => {
    const findings = await run(
      appRoleAttributes,
      [rolesFact, [role("repl", { replication: true, bypassRls: true })]],
      [walSendersFact, [sender("repl", false)]],
    );
    assert.equal(findings[0]?.fix, 'ALTER ROLE "repl" NOBYPASSRLS;');
  });

  test("with an inventory, REPLICATION on any role but its pg_replication_username is found", async () => {
    const roles = [role("replicator", { replication: true }), role("app", { replication: true })];
    const findings = await run(appRoleAttributes, [rolesFact, roles], [inventoryUsersFact, INVENTORY]);
    assert.deepEqual(subjects(findings), ["app"]);
    assert.match(
      findings[0]?.evidence.map((line) => line.value).join("\n") ?? "",
      /pg_replication_username in pigsty\.yml/,
    );
  });
});

describe("roles/dangerous-predefined-members", () => {
  test("a direct member is found with its REVOKE", async () => {
    const findings = await run(dangerousPredefinedMembers, [
      rolesFact,
      [role("ops", { memberOf: ["pg_execute_server_program", "pg_monitor"] })],
    ]);
    assert.deepEqual(subjects(findings), ["ops: pg_execute_server_program"]);
    assert.equal(findings[0]?.fix, 'REVOKE pg_execute_server_program FROM "ops";');
  });

  test("a member through a group is found, and the fix revokes the group's grant", async () => {
    const roles = [
      role("files", { login: false, memberOf: ["pg_write_server_files"] }),
      role("team", { login: false, memberOf: ["files"] }),
      role("alice", { memberOf: ["team"] }),
    ];
    const findings = await run(dangerousPredefinedMembers, [rolesFact, roles]);
    assert.deepEqual(subjects(findings), [
      "files: pg_write_server_files",
      "team: pg_write_server_files",
      "alice: pg_write_server_files",
    ]);
    assert.match(findings[2]?.fix ?? "", /^REVOKE pg_write_server_files FROM "files";/);
    assert.equal(
      findings[2]?.evidence[0]?.value,
      "member of team -> member of files -> member of pg_write_server_files",
    );
  });

  test("silent on superusers, on harmless predefined roles and on membership cycles", async () => {
    const roles = [
      role("admin", { superuser: true, memberOf: ["pg_read_server_files"] }),
      role("a", { memberOf: ["b", "pg_monitor"] }),
      role("b", { memberOf: ["a", "pg_read_all_stats"] }),
    ];
    assert.deepEqual(await run(dangerousPredefinedMembers, [rolesFact, roles]), []);
  });
});

describe("roles/no-replication-user", () => {
  test("a standby streaming as a superuser is found; the fix creates a replication-only role", async () => {
    const findings = await run(
      noReplicationUser,
      [rolesFact, [role("postgres", { superuser: true, replication: true })]],
      [walSendersFact, [sender("postgres", true)]],
    );
    assert.deepEqual(subjects(findings), ["replication"]);
    assert.match(findings[0]?.fix ?? "", /^CREATE ROLE "replicator" LOGIN REPLICATION;\n-- then /);
    assert.match(findings[0]?.evidence[0]?.value ?? "", /user postgres \(superuser\), application_name standby1/);
  });

  test("a superuser stream while a replication role exists: the fix points the standby at that role", async () => {
    const findings = await run(
      noReplicationUser,
      [rolesFact, [role("postgres", { superuser: true }), role("repl", { replication: true })]],
      [walSendersFact, [sender("postgres", true)]],
    );
    assert.match(findings[0]?.fix ?? "", /^-- repl can already replicate: /);
  });

  test("a role name with a line break cannot end a fix's comment and smuggle SQL into it", async () => {
    const evil = "repl\nDROP DATABASE app; --";
    const findings = await run(
      noReplicationUser,
      [rolesFact, [role("postgres", { superuser: true }), role(evil, { replication: true })]],
      [walSendersFact, [sender("postgres", true)]],
    );
    const fix = findings[0]?.fix ?? "";
    assert.match(fix, /^-- "repl\\x0aDROP DATABASE app; --" can already replicate: /);
    assert.equal(fix.split("\n").length, 1, "one comment line");
  });

  test("silent when the stream is a non-superuser's, and without replicas or inventory", async () => {
    const roles = [role("postgres", { superuser: true }), role("replicator", { replication: true })];
    assert.deepEqual(
      await run(noReplicationUser, [rolesFact, roles], [walSendersFact, [sender("replicator", false)]]),
      [],
    );
    assert.deepEqual(
      await run(noReplicationUser, [rolesFact, [role("postgres", { superuser: true })]], [walSendersFact, []]),
      [],
    );
  });

  test("with an inventory, its replication user missing or a superuser is found (medium)", async () => {
    const missing = await run(
      noReplicationUser,
      [rolesFact, [role("postgres", { superuser: true })]],
      [inventoryUsersFact, INVENTORY],
    );
    assert.equal(missing[0]?.severity, "medium");
    assert.match(missing[0]?.message ?? "", /replicator does not exist/);
    const superReplicator = await run(
      noReplicationUser,
      [rolesFact, [role("replicator", { superuser: true, replication: true })]],
      [inventoryUsersFact, INVENTORY],
    );
    assert.match(superReplicator[0]?.fix ?? "", /^ALTER ROLE "replicator" LOGIN REPLICATION NOSUPERUSER;/);
    const fine = await run(
      noReplicationUser,
      [rolesFact, [role("replicator", { replication: true })]],
      [inventoryUsersFact, INVENTORY],
    );
    assert.deepEqual(fine, []);
  });
});

describe("per-database checks", () => {
  test("public-schema-create: one finding per database and schema, its fix run in that database", async () => {
    const findings = await run(
      publicSchemaCreate,
      catalogs({
        app: {
          schemasOpenToPublic: [{ schema: "public", owner: "pg_database_owner", acl: "{=UC/pg_database_owner}" }],
        },
        postgres: {},
      }),
    );
    assert.deepEqual(subjects(findings), ["app: public"]);
    assert.equal(findings[0]?.fix, '\\connect "app"\nREVOKE CREATE ON SCHEMA "public" FROM PUBLIC;');
    assert.deepEqual(await run(publicSchemaCreate, catalogs({ postgres: {} })), []);
  });

  test("security-definer-public: the fix fixes the search_path of exactly that routine", async () => {
    const findings = await run(
      securityDefinerPublic,
      catalogs({ app: { securityDefinersWithoutSearchPath: [routine("grant_me", { arguments: "who text" })] } }),
    );
    assert.deepEqual(subjects(findings), ['app: "public"."grant_me"(who text)']);
    assert.match(
      findings[0]?.fix ?? "",
      /\nALTER ROUTINE "public"\."grant_me"\(who text\) SET search_path = pg_catalog, "public", pg_temp;$/,
    );
    assert.match(findings[0]?.message ?? "", /runs as postgres \(superuser\)/);
    // Its schema open to PUBLIC's CREATE: left out of the search_path (PostgreSQL's "Writing SECURITY DEFINER Functions Safely").
    const [open] = await run(
      securityDefinerPublic,
      catalogs({
        app: {
          schemasOpenToPublic: [{ schema: "public", owner: "pg_database_owner", acl: "{=UC/pg_database_owner}" }],
          securityDefinersWithoutSearchPath: [routine("grant_me", { arguments: "who text" })],
        },
      }),
    );
    assert.match(
      open?.fix ?? "",
      /\nALTER ROUTINE "public"\."grant_me"\(who text\) SET search_path = pg_catalog, pg_temp; -- not "public": PUBLIC may create/,
    );
  });

  test("untrusted-languages: medium when installed, high when PUBLIC may run its functions", async () => {
    const bare: UntrustedLanguage = {
      name: "plperlu",
      owner: "postgres",
      extension: "plperlu",
      functions: 0,
      publicFunctions: [],
    };
    const used: UntrustedLanguage = {
      name: "plpython3u",
      owner: "postgres",
      extension: null,
      functions: 2,
      publicFunctions: [routine("shell", { language: "plpython3u", arguments: "cmd text" })],
    };
    const findings = await run(untrustedLanguages, catalogs({ app: { untrustedLanguages: [bare, used] } }));
    assert.deepEqual(subjects(findings), ["app: plperlu", "app: plpython3u"]);
    assert.equal(findings[0]?.severity, "medium");
    assert.equal(findings[0]?.fix, '\\connect "app"\nDROP EXTENSION "plperlu";');
    assert.equal(findings[1]?.severity, "high");
    assert.match(findings[1]?.fix ?? "", /REVOKE EXECUTE ON ROUTINE "public"\."shell"\(cmd text\) FROM PUBLIC;/);
    assert.match(findings[1]?.fix ?? "", /-- then, once its 2 function\(s\).*DROP LANGUAGE "plpython3u";$/);
  });

  test("public-table-privileges: high for a privilege that writes, medium for SELECT alone", async () => {
    const findings = await run(
      publicTablePrivileges,
      catalogs({
        app: {
          relationsOpenToPublic: [
            { schema: "public", name: "ledger", kind: "r", privileges: ["INSERT", "SELECT"] },
            { schema: "public", name: "prices", kind: "v", privileges: ["SELECT"] },
          ],
        },
      }),
    );
    assert.deepEqual(
      findings.map((finding) => finding.severity),
      ["high", "medium"],
    );
    assert.match(findings[0]?.fix ?? "", /REVOKE INSERT, SELECT ON TABLE "public"\."ledger" FROM PUBLIC;$/);
    assert.match(findings[1]?.message ?? "", /on view "public"\."prices"/);
  });

  test("rls-policies-unenforced: the table and its policies, and the ENABLE that makes them apply", async () => {
    const findings = await run(
      rlsPoliciesUnenforced,
      catalogs({ app: { unenforcedPolicies: [{ schema: "s", table: "notes", policies: ["mine", "team"] }] } }),
    );
    assert.match(findings[0]?.evidence[0]?.value ?? "", /policies mine, team/);
    assert.match(findings[0]?.fix ?? "", /ALTER TABLE "s"\."notes" ENABLE ROW LEVEL SECURITY;$/);
  });

  test("databases-not-examined: each database the auditor could not enter, with the grant when one would do", async () => {
    const findings = await run(
      databasesNotExamined,
      catalogs({ postgres: {} }, [
        {
          database: "hr",
          reason: "permission denied for database hr",
          grant: 'GRANT CONNECT ON DATABASE "hr" TO "auditor"',
        },
        { database: "old", reason: "pg_hba.conf rejects connection" },
      ]),
    );
    assert.deepEqual(subjects(findings), ["hr", "old"]);
    assert.equal(findings[0]?.fix, 'GRANT CONNECT ON DATABASE "hr" TO "auditor";');
    assert.equal(findings[1]?.fix, undefined);
    assert.deepEqual(await run(databasesNotExamined, catalogs({ postgres: {} })), []);
  });
});
