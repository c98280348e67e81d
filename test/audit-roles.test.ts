/*
 * The roles-and-privileges family of `pgwarden audit` against a real PostgreSQL: a clean
 * cluster gives none of its findings; then each weakness is planted (a second login superuser,
 * an application role with CREATEROLE and BYPASSRLS, a member of pg_read_server_files through a
 * group, CREATE on public for PUBLIC in a second database, a SECURITY DEFINER function without
 * search_path, an untrusted language, table grants to PUBLIC, unenforced RLS policies, a WAL
 * stream as a superuser, a database the auditor is refused), each appears with nothing
 * unplanted, and running the fix each finding prints makes it disappear on the next run.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { after, before, describe, test } from "node:test";

import { serialQueries } from "../src/audit/serial-queries.js";
import { openConnection } from "../src/pg/conninfo/open.js";
import { resolveConnection } from "../src/pg/conninfo/resolve.js";
import { scramVerifier } from "../src/roles/scram.js";
import { type AuditedCluster, type AuditJson, startAuditedCluster } from "./support/audit-run.js";
import { emptyHome } from "./support/empty-home.js";
import { findPgBinDir, makeTempDir, runClient } from "./support/pg-cluster.js";

const HBA = [
  "host noentry all 127.0.0.1/32 reject",
  "host all all 127.0.0.1/32 scram-sha-256",
  "host replication all 127.0.0.1/32 scram-sha-256",
];

/** The roles family's findings as `id | subject`, sorted: what the test compares with what it planted. */
function rolesFindings(report: AuditJson): string[] {
  return report.findings
    .filter((finding) => finding.id.startsWith("roles/"))
    .map((finding) => `${finding.id} | ${finding.subject}`)
    .sort();
}

/** A WAL stream from the cluster (real pg_receivewal), logged in as `user`. */
async function startReceiver(audited: AuditedCluster, user: string, password: string): Promise<ChildProcess> {
  const dir = await makeTempDir("pgwarden-receivewal-");
  const child = spawn(
    `${findPgBinDir()}/pg_receivewal`,
    ["-h", "127.0.0.1", "-p", String(audited.cluster.port), "-U", user, "-w", "-D", dir, "-n"],
    { env: { ...process.env, HOME: emptyHome(), PGPASSWORD: password }, stdio: "ignore" },
  );
  child.once("exit", () => void rm(dir, { recursive: true, force: true }));
  for (let tries = 0; tries < 100; tries++) {
    const seen = await audited.cluster.sql(`SELECT count(*) FROM pg_stat_replication WHERE usename = '${user}'`);
    if (seen === "1") return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`pg_receivewal as ${user} never appeared in pg_stat_replication`);
}

async function stopReceiver(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

describe("audit, roles and privileges family, on a real cluster", () => {
  let audited: AuditedCluster;
  let receiver: ChildProcess | undefined;
  let language = "plunsafe";
  const auditorPassword = (): string => audited.env.PGPASSWORD as string;

  before(async () => {
    audited = await startAuditedCluster({ hba: HBA });
    await audited.cluster.sql("CREATE DATABASE app2; CREATE DATABASE noentry;");
  });
  after(async () => {
    await stopReceiver(receiver);
    await audited?.stop();
  });

  test("a clean cluster (bootstrap superuser without password, one admin superuser) has no roles finding", async () => {
    await audited.cluster.writeHba(HBA.slice(1));
    await audited.cluster.reload();
    const { report } = await audited.audit();
    assert.deepEqual(rolesFindings(report), []);
    const ran = report.checks.filter((run) => run.check.startsWith("roles/")).map((run) => run.check);
    assert.equal(ran.length, 10, `every roles check ran: ${ran.join(", ")}`);
    assert.deepEqual(
      report.notRun.filter((entry) => entry.check.startsWith("roles/")),
      [],
    );
    await audited.cluster.writeHba(HBA);
    await audited.cluster.reload();
  });

  test("the audit's shared connection sends concurrent queries one at a time, so node-postgres never warns", async () => {
    const connection = resolveConnection(audited.conn, { env: { ...audited.env }, source: "--conn" });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on("warning", onWarning);
    const client = await openConnection(connection, "cannot connect");
    try {
      const serial = serialQueries(client);
      const texts = ["SELECT 1 AS n", "SELECT nonsense FROM nowhere", "SELECT 2 AS n", "SELECT 3 AS n"];
      const results = await Promise.allSettled(texts.map((text) => serial.query<{ n: number }>(text)));
      assert.deepEqual(
        results.map((result) => (result.status === "fulfilled" ? result.value.rows[0]?.n : "rejected")),
        [1, "rejected", 2, 3],
      );
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, []);
      // The same queries straight on the client: node-postgres warns (once per process), which the audit must not make it do.
      await Promise.allSettled(texts.map((text) => client.query(text)));
      await new Promise((resolve) => setImmediate(resolve));
      assert.match(warnings.join("\n"), /already executing a query/);
    } finally {
      process.off("warning", onWarning);
      await client.end();
    }
  });

  test("every planted weakness is found, with evidence, and nothing unplanted", async () => {
    const plperlu = await audited.cluster.sql("SELECT count(*) FROM pg_available_extensions WHERE name = 'plperlu'");
    language = plperlu === "1" ? "plperlu" : "plunsafe";
    await audited.cluster.sql(
      `CREATE ROLE dba LOGIN SUPERUSER PASSWORD '${scramVerifier(randomBytes(12).toString("hex"))}';
       CREATE ROLE app LOGIN CREATEROLE BYPASSRLS;
       CREATE ROLE files NOLOGIN; GRANT pg_read_server_files TO files;
       CREATE ROLE reader LOGIN; GRANT files TO reader;
       CREATE ROLE admins NOLOGIN SUPERUSER; CREATE ROLE ops LOGIN; GRANT admins TO ops;`,
    );
    await audited.cluster.sql(
      `GRANT CREATE ON SCHEMA public TO PUBLIC;
       CREATE FUNCTION public.whoami() RETURNS text LANGUAGE sql SECURITY DEFINER AS 'SELECT current_user::text';
       CREATE FUNCTION public.safe_whoami() RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
         AS 'SELECT current_user::text';
       ${
         // Without Debian's postgresql-plperl-15, an untrusted language made on plpgsql's own handler:
         // the catalog holds it exactly as it holds plperlu (lanispl, not lanpltrusted).
         language === "plperlu"
           ? "CREATE EXTENSION plperlu;"
           : "CREATE LANGUAGE plunsafe HANDLER plpgsql_call_handler VALIDATOR plpgsql_validator;"
       }
       CREATE TABLE public.ledger (id int); GRANT SELECT, INSERT ON public.ledger TO PUBLIC;
       CREATE TABLE public.lookup (id int); GRANT SELECT ON public.lookup TO PUBLIC;
       CREATE TABLE public.notes (owner text);
       CREATE POLICY own_notes ON public.notes USING (owner = current_user);
       CREATE TABLE public.guarded (owner text); ALTER TABLE public.guarded ENABLE ROW LEVEL SECURITY;
       CREATE POLICY own_rows ON public.guarded USING (owner = current_user);`,
      "app2",
    );
    receiver = await startReceiver(audited, "auditor", auditorPassword());

    const { report, stderr } = await audited.audit();
    // The facts share one connection: their concurrent queries must not make node-postgres warn on stderr.
    assert.doesNotMatch(stderr, /DeprecationWarning/);
    assert.deepEqual(rolesFindings(report), [
      "roles/app-role-attributes | app",
      "roles/dangerous-predefined-members | files: pg_read_server_files",
      "roles/dangerous-predefined-members | reader: pg_read_server_files",
      "roles/databases-not-examined | noentry",
      "roles/many-login-superusers | dba",
      "roles/many-login-superusers | ops",
      "roles/no-replication-user | replication",
      "roles/public-schema-create | app2: public",
      'roles/public-table-privileges | app2: "public"."ledger"',
      'roles/public-table-privileges | app2: "public"."lookup"',
      'roles/rls-policies-unenforced | app2: "public"."notes"',
      'roles/security-definer-public | app2: "public"."whoami"()',
      `roles/untrusted-languages | app2: ${language}`,
    ]);
    const find = (id: string, subject: string) => {
      const found = report.findings.find((finding) => finding.id === id && finding.subject === subject);
      assert.ok(found, `${id} ${subject}`);
      return found;
    };
    const evidence = (finding: AuditJson["findings"][number]) =>
      finding.evidence.map((line) => `${line.label}: ${line.value}`).join("\n");
    assert.match(
      evidence(find("roles/many-login-superusers", "dba")),
      /roles that can log in as a superuser: auditor, dba, ops/,
    );
    assert.match(find("roles/app-role-attributes", "app").message, /CREATEROLE, BYPASSRLS/);
    assert.match(
      evidence(find("roles/dangerous-predefined-members", "reader: pg_read_server_files")),
      /member of files -> member of pg_read_server_files/,
    );
    assert.equal(find("roles/public-table-privileges", 'app2: "public"."ledger"').severity, "high");
    assert.equal(find("roles/public-table-privileges", 'app2: "public"."lookup"').severity, "medium");
    assert.match(evidence(find("roles/no-replication-user", "replication")), /user auditor \(superuser\)/);
    assert.match(evidence(find("roles/security-definer-public", 'app2: "public"."whoami"()')), /owner postgres/);
    assert.match(find("roles/databases-not-examined", "noentry").message, /noentry/);
  });

  test("running each printed fix makes its finding disappear on the next run", async () => {
    const { report } = await audited.audit();
    // security-definer-public's search_path holds no schema PUBLIC may create in (app2's public is one now).
    const definer = report.findings.find((each) => each.id === "roles/security-definer-public");
    const searchPath = /SET search_path = ([^;]*);/.exec(definer?.fix ?? "")?.[1] ?? "";
    assert.match(searchPath, /pg_temp$/, definer?.fix);
    const openToPublic = (schema: string) =>
      audited.cluster.sql(
        `SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
           WHERE n.nspname = '${schema.replace(/'/g, "''")}' AND a.grantee = 0 AND a.privilege_type = 'CREATE')`,
        "app2",
      );
    assert.equal(await openToPublic("public"), "t");
    for (const schema of searchPath.split(", ").map((name) => name.replace(/^"(.*)"$/, "$1")))
      assert.equal(await openToPublic(schema), "f", `${schema} in ${searchPath}`);
    for (const finding of report.findings.filter((each) => each.id.startsWith("roles/"))) {
      if (finding.id === "roles/databases-not-examined") continue;
      await audited.cluster.sql(finding.fix);
    }
    // The rest of no-replication-user's fix, as its comment says: a password and the stream moved to the new role.
    const password = randomBytes(12).toString("hex");
    await audited.cluster.sql(`ALTER ROLE replicator PASSWORD '${scramVerifier(password)}'`);
    await stopReceiver(receiver);
    receiver = await startReceiver(audited, "replicator", password);
    // databases-not-examined: its fix is an HBA rule that lets the auditor in.
    await audited.cluster.writeHba(HBA.slice(1));
    await audited.cluster.reload();

    const after = await audited.audit();
    assert.deepEqual(rolesFindings(after.report), []);
  });

  test("as a pg_monitor auditor, every roles check runs; a database it may not connect to is named with its GRANT", async () => {
    await audited.cluster.sql(
      "ALTER ROLE auditor NOSUPERUSER; GRANT pg_monitor TO auditor; REVOKE CONNECT ON DATABASE noentry FROM PUBLIC;",
    );
    const { report } = await audited.audit();
    assert.equal(report.targets[0]?.superuser, false);
    assert.deepEqual(rolesFindings(report), ["roles/databases-not-examined | noentry"]);
    assert.deepEqual(
      report.notRun.filter((entry) => entry.check.startsWith("roles/")),
      [],
    );
    const finding = report.findings.find((each) => each.id === "roles/databases-not-examined");
    assert.equal(finding?.fix, 'GRANT CONNECT ON DATABASE "noentry" TO "auditor";');
    await audited.cluster.sql(finding.fix);
    assert.deepEqual(rolesFindings((await audited.audit()).report), []);
  });
});

// Each verdict of the per-database and membership checks against what PostgreSQL itself does:
// a role with no grant of its own (`nobody`, so only what PUBLIC holds) tries the thing the
// finding says it may do, and the finding is there exactly when the server lets it.
describe("the roles family's verdicts equal what PostgreSQL allows", () => {
  let audited: AuditedCluster;
  let report: AuditJson;

  /** Runs `sql` as `nobody` in a transaction rolled back: true when the server allows it, false on permission denied. */
  async function nobodyMay(sql: string): Promise<boolean> {
    try {
      await audited.cluster.sql(`BEGIN; SET LOCAL ROLE nobody; ${sql}; ROLLBACK;`);
      return true;
    } catch (error) {
      if (/permission denied/.test(String(error))) return false;
      throw error;
    }
  }
  const flagged = (id: string, subject: string): boolean =>
    report.findings.some((finding) => finding.id === id && finding.subject === subject);

  before(async () => {
    audited = await startAuditedCluster();
    await audited.cluster.sql(
      `CREATE ROLE nobody LOGIN;
       CREATE SCHEMA open_to_all; GRANT CREATE ON SCHEMA open_to_all TO PUBLIC;
       CREATE SCHEMA closed;
       CREATE SCHEMA for_one; CREATE ROLE someone; GRANT CREATE, USAGE ON SCHEMA for_one TO someone;
       CREATE SCHEMA usage_only; GRANT USAGE ON SCHEMA usage_only TO PUBLIC;
       CREATE FUNCTION public.sd_open() RETURNS text LANGUAGE sql SECURITY DEFINER AS $$SELECT current_setting('search_path')$$;
       CREATE FUNCTION public.sd_revoked() RETURNS text LANGUAGE sql SECURITY DEFINER AS $$SELECT current_setting('search_path')$$;
       REVOKE EXECUTE ON FUNCTION public.sd_revoked() FROM PUBLIC;
       CREATE FUNCTION public.sd_regranted() RETURNS text LANGUAGE sql SECURITY DEFINER AS $$SELECT current_setting('search_path')$$;
       REVOKE EXECUTE ON FUNCTION public.sd_regranted() FROM PUBLIC; GRANT EXECUTE ON FUNCTION public.sd_regranted() TO PUBLIC;
       CREATE FUNCTION public.sd_fixed() RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
         AS $$SELECT current_setting('search_path')$$;
       CREATE FUNCTION public.invoker() RETURNS text LANGUAGE sql AS $$SELECT current_setting('search_path')$$;
       CREATE TABLE public.t_insert (a int); GRANT INSERT ON public.t_insert TO PUBLIC;
       CREATE TABLE public.t_select (a int); GRANT SELECT ON public.t_select TO PUBLIC;
       CREATE TABLE public.t_someone (a int); GRANT INSERT, SELECT ON public.t_someone TO someone;
       CREATE TABLE public.t_none (a int);
       CREATE TABLE public.rls_off (a int); INSERT INTO public.rls_off VALUES (1); GRANT SELECT ON public.rls_off TO PUBLIC;
       CREATE POLICY nothing ON public.rls_off USING (false);
       CREATE TABLE public.rls_on (a int); INSERT INTO public.rls_on VALUES (1); GRANT SELECT ON public.rls_on TO PUBLIC;
       CREATE POLICY nothing ON public.rls_on USING (false); ALTER TABLE public.rls_on ENABLE ROW LEVEL SECURITY;
       CREATE ROLE direct LOGIN; GRANT pg_write_server_files TO direct;
       CREATE ROLE grp NOLOGIN; GRANT pg_write_server_files TO grp;
       CREATE ROLE via_noinherit LOGIN NOINHERIT; GRANT grp TO via_noinherit;
       CREATE ROLE monitor LOGIN; GRANT pg_monitor TO monitor;
       CREATE ROLE sudoers NOLOGIN SUPERUSER; CREATE ROLE via NOLOGIN; GRANT sudoers TO via;
       CREATE ROLE sudo_member LOGIN NOINHERIT; GRANT via TO sudo_member;`,
    );
    report = (await audited.audit()).report;
  });
  after(async () => {
    await audited?.stop();
  });

  test("roles/public-schema-create is found exactly on the schemas where a role without grants can create a table", async () => {
    const verdicts: [string, boolean, boolean][] = [];
    for (const schema of ["open_to_all", "closed", "for_one", "usage_only", "public"]) {
      const allowed = await nobodyMay(`CREATE TABLE "${schema}".probe (a int)`);
      verdicts.push([schema, allowed, flagged("roles/public-schema-create", `postgres: ${schema}`)]);
    }
    for (const [schema, allowed, found] of verdicts) assert.equal(found, allowed, `schema ${schema}`);
    assert.deepEqual(
      verdicts.filter(([, allowed]) => allowed).map(([schema]) => schema),
      ["open_to_all"],
    );
  });

  test("roles/security-definer-public is found exactly where a role without grants runs the function under its own search_path", async () => {
    const verdicts: [string, boolean, boolean][] = [];
    for (const name of ["sd_open", "sd_revoked", "sd_regranted", "sd_fixed", "invoker"]) {
      let hijackable = false;
      try {
        const seen = await audited.cluster.sql(
          `BEGIN; SET LOCAL ROLE nobody; SET LOCAL search_path = attacker, public; SELECT public.${name}(); ROLLBACK;`,
        );
        // Runs as its owner (SECURITY DEFINER) and resolves names through the caller's path: the attack.
        const definer = await audited.cluster.sql(`SELECT prosecdef FROM pg_proc WHERE proname = '${name}'`);
        hijackable = seen === "attacker, public" && definer === "t";
      } catch (error) {
        if (!/permission denied/.test(String(error))) throw error;
      }
      verdicts.push([name, hijackable, flagged("roles/security-definer-public", `postgres: "public"."${name}"()`)]);
    }
    for (const [name, hijackable, found] of verdicts) assert.equal(found, hijackable, `function ${name}`);
    assert.deepEqual(
      verdicts.filter(([, hijackable]) => hijackable).map(([name]) => name),
      ["sd_open", "sd_regranted"],
    );
  });

  test("roles/public-table-privileges lists exactly what a role without grants may do to each table", async () => {
    for (const table of ["t_insert", "t_select", "t_someone", "t_none"]) {
      const mayInsert = await nobodyMay(`INSERT INTO public.${table} VALUES (1)`);
      const maySelect = await nobodyMay(`SELECT * FROM public.${table}`);
      const finding = report.findings.find(
        (each) => each.id === "roles/public-table-privileges" && each.subject === `postgres: "public"."${table}"`,
      );
      const listed = finding?.evidence[0]?.value ?? "PUBLIC: ";
      assert.equal(/INSERT/.test(listed), mayInsert, `${table} INSERT`);
      assert.equal(/SELECT/.test(listed), maySelect, `${table} SELECT`);
    }
  });

  test("roles/rls-policies-unenforced is found exactly where the rows a policy hides are still visible", async () => {
    for (const table of ["rls_off", "rls_on"]) {
      const visible = await audited.cluster.sql(
        `BEGIN; SET LOCAL ROLE nobody; SELECT count(*) FROM public.${table}; ROLLBACK;`,
      );
      assert.equal(flagged("roles/rls-policies-unenforced", `postgres: "public"."${table}"`), visible === "1", table);
    }
  });

  test("roles/many-login-superusers counts exactly the login roles that, logged in, may SET ROLE to a superuser", async () => {
    // Logged in as each role over TCP: SET ROLE checks the session's user, so SET ROLE from a superuser session proves nothing.
    for (const name of ["sudo_member", "direct", "monitor", "nobody"]) {
      const password = randomBytes(12).toString("hex");
      await audited.cluster.sql(`ALTER ROLE ${name} PASSWORD '${scramVerifier(password)}'`);
      const conn = `host=127.0.0.1 port=${audited.cluster.port} user=${name} dbname=postgres sslmode=disable`;
      const result = await runClient(
        `${findPgBinDir()}/psql`,
        ["-X", "-v", "ON_ERROR_STOP=1", "-c", "SET ROLE sudoers", conn],
        {
          env: { PGPASSWORD: password },
        },
      );
      assert.ok(result.code === 0 || /permission denied/.test(result.stderr), `${name}: ${result.stderr}`);
      assert.equal(flagged("roles/many-login-superusers", name), result.code === 0, name);
    }
    assert.ok(flagged("roles/many-login-superusers", "sudo_member"));
  });

  test("roles/dangerous-predefined-members is found exactly for the roles the server counts as members", async () => {
    for (const name of ["direct", "grp", "via_noinherit", "monitor", "nobody"]) {
      const member = await audited.cluster.sql(`SELECT pg_has_role('${name}', 'pg_write_server_files', 'MEMBER')`);
      assert.equal(
        flagged("roles/dangerous-predefined-members", `${name}: pg_write_server_files`),
        member === "t",
        name,
      );
    }
  });
});
