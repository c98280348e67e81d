import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";

import { md5Secret } from "../src/roles/md5.js";
import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";

let audited: AuditedCluster;

/** Files PostgreSQL rewrites on its own, whoever connects: statistics and logs (track_* aside, as the issue says). */
const OWN_CHURN = new Set(["pg_stat_tmp", "pg_stat", "log", "pg_log"]);

before(async () => {
  // A weak server, so that many checks find something and look further: ssl off, logging off, an open public schema,
  // a SECURITY DEFINER function without search_path, a second database, an md5 password.
  audited = await startAuditedCluster({
    settings: { log_connections: "off", log_disconnections: "off", password_encryption: "md5" },
  });
  await audited.cluster.sql(
    `CREATE DATABASE app;
     CREATE ROLE app_owner LOGIN CREATEROLE PASSWORD '${md5Secret("app_owner", "app_owner")}';
     GRANT CREATE ON SCHEMA public TO PUBLIC;`,
  );
  await audited.cluster.sql(
    `CREATE FUNCTION public.elevate() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';
     GRANT CREATE ON SCHEMA public TO PUBLIC;`,
    "app",
  );
  // Every database once, so that PostgreSQL's own relation cache files exist before the first snapshot.
  for (const db of ["postgres", "template1", "app"]) await audited.cluster.sql("SELECT 1", db);
});

after(async () => {
  await audited?.stop();
});

/** What the audit must not change, as the superuser reads it: roles, databases, ACLs, functions, settings in files, rules. */
async function catalog(): Promise<Record<string, string>> {
  const { cluster } = audited;
  const shared: Record<string, string> = {
    pg_authid: await cluster.sql("SELECT a::text FROM pg_authid a ORDER BY rolname"),
    pg_auth_members: await cluster.sql("SELECT m::text FROM pg_auth_members m ORDER BY roleid, member"),
    pg_database: await cluster.sql(
      "SELECT datname, datdba, datallowconn, datconnlimit, datacl FROM pg_database ORDER BY datname",
    ),
    pg_db_role_setting: await cluster.sql("SELECT s::text FROM pg_db_role_setting s ORDER BY 1"),
    pg_file_settings: await cluster.sql("SELECT f::text FROM pg_file_settings f ORDER BY sourcefile, sourceline"),
    pg_settings_from_files: await cluster.sql(
      `SELECT name, setting, source, sourcefile, sourceline FROM pg_settings
       WHERE source NOT IN ('default', 'client', 'session', 'override') ORDER BY name`,
    ),
    pg_hba_file_rules: await cluster.sql("SELECT r::text FROM pg_hba_file_rules r ORDER BY line_number"),
  };
  const databases = (await cluster.sql("SELECT datname FROM pg_database WHERE datallowconn ORDER BY 1")).split("\n");
  for (const db of databases) {
    shared[`${db}.pg_namespace`] = await cluster.sql(
      "SELECT nspname, nspowner, nspacl FROM pg_namespace ORDER BY 1",
      db,
    );
    shared[`${db}.pg_proc`] = await cluster.sql(
      `SELECT md5(string_agg(concat_ws(' ', oid, proname, proowner, prosecdef, proacl, proconfig, prosrc), '|' ORDER BY oid))
       FROM pg_proc`,
      db,
    );
    shared[`${db}.pg_extension`] = await cluster.sql("SELECT extname, extversion FROM pg_extension ORDER BY 1", db);
    shared[`${db}.pg_language`] = await cluster.sql(
      "SELECT lanname, lanpltrusted, lanacl FROM pg_language ORDER BY 1",
      db,
    );
    shared[`${db}.pg_class_acl`] = await cluster.sql(
      "SELECT md5(string_agg(concat_ws(' ', oid, relname, relacl, relrowsecurity), '|' ORDER BY oid)) FROM pg_class",
      db,
    );
  }
  return shared;
}

/** Every file under PGDATA with its size and mtime (directories by name), PostgreSQL's statistics and logs aside. */
async function dataDirectory(): Promise<Map<string, string>> {
  const root = audited.cluster.dataDir;
  const seen = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const name = relative(root, path);
      if (OWN_CHURN.has(name)) continue;
      const info = await stat(path);
      if (entry.isDirectory()) {
        seen.set(name, `dir ${(info.mode & 0o7777).toString(8)}`);
        await walk(path);
      } else seen.set(name, `${(info.mode & 0o7777).toString(8)} ${info.size} ${info.mtimeMs}`);
    }
  };
  await walk(root);
  return seen;
}

test("an audit (with --pgdata, as a superuser, on a weak server) leaves the catalog and the data directory as they were", async () => {
  const catalogBefore = await catalog();
  const filesBefore = await dataDirectory();
  const { report } = await audited.audit(["--pgdata", audited.cluster.dataDir, "--fail-on", "critical"]);
  const json: AuditJson = report;
  assert.equal(json.targets[0]?.reachable, true);
  assert.ok(json.findings.length > 0, "the weak server gave findings, so the checks looked");
  assert.deepEqual(await catalog(), catalogBefore);
  assert.deepEqual(await dataDirectory(), filesBefore);
  // Every connection the audit opened is closed again.
  assert.equal(await audited.cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE usename = 'auditor'"), "0");
});
