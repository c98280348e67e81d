import assert from "node:assert/strict";
import { chown, lstat, readdir, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { pgwarden, tempDir } from "./support/cli.js";
import { type Cluster, makeTempDir, runClient, startCluster } from "./support/pg-cluster.js";

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  work = await tempDir("pgwarden-hba-apply-");
  cluster = await startCluster({ hba: ["host all all 127.0.0.1/32 scram-sha-256"] });
});
after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

const connect = (user: string) =>
  runClient("psql", [
    "-X",
    "-A",
    "-t",
    "-c",
    "select current_user",
    `host=127.0.0.1 port=${cluster.port} dbname=postgres user=${user} sslmode=disable`,
  ]);

test("hba apply --pgdata: backup, PostgreSQL's verdict, reload; the new rule is in force", async () => {
  await cluster.sql("CREATE ROLE trusted_app LOGIN");
  assert.notEqual((await connect("trusted_app")).code, 0, "no password: refused by the old rules");
  const hbaFile = join(cluster.dataDir, "pg_hba.conf");
  const before = await stat(hbaFile);
  const rules = join(work.dir, "new.conf");
  await writeFile(
    rules,
    `local all all peer\nhost postgres trusted_app 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n`,
  );
  const result = await pgwarden(["hba", "apply", rules, "--pgdata", cluster.dataDir, "--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { action: string; backup: string; reloaded: boolean };
  assert.equal(report.action, "replace");
  assert.ok(report.reloaded);
  assert.match(await readFile(report.backup, "utf8"), /host all all 127\.0\.0\.1\/32 scram-sha-256/);
  const after = await stat(hbaFile);
  assert.deepEqual([after.uid, after.mode & 0o777], [before.uid, before.mode & 0o777], "owner and mode kept");
  const ok = await connect("trusted_app");
  assert.equal(ok.stdout.trim(), "trusted_app", ok.stderr);

  const again = await pgwarden(["hba", "apply", rules, "--pgdata", cluster.dataDir, "--format", "json"]);
  assert.equal((JSON.parse(again.stdout) as { action: string }).action, "unchanged");
});

test("hba apply: a file pgwarden's parser (as the server's version) finds invalid is refused before anything is written (exit 3, the line and why)", async () => {
  const hbaFile = join(cluster.dataDir, "pg_hba.conf");
  const current = await readFile(hbaFile, "utf8");
  const broken = join(work.dir, "broken.conf");
  await writeFile(broken, `local all all peer\nhost all all 10.0.0.0/33 scram-sha-256\n`);
  const backupsBefore = (await readdir(cluster.dataDir)).filter((name) => name.endsWith(".bak")).length;
  const result = await pgwarden(["hba", "apply", broken, "--pgdata", cluster.dataDir]);
  assert.equal(result.code, 3);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(
    result.stderr,
    /the new rules are invalid \(line 2: invalid CIDR mask in address "10\.0\.0\.0\/33"\): nothing was written/,
  );
  assert.equal(await readFile(hbaFile, "utf8"), current, "the file is untouched");
  assert.equal(
    (await readdir(cluster.dataDir)).filter((name) => name.endsWith(".bak")).length,
    backupsBefore,
    "no backup: nothing was written",
  );
  assert.equal((await connect("trusted_app")).stdout.trim(), "trusted_app", "the old rules still serve");
});

test("hba apply --conn: a superuser connection finds hba_file itself", async () => {
  await cluster.sql("ALTER ROLE postgres PASSWORD 'apply-test-pw'");
  const rules = join(work.dir, "conn.conf");
  await writeFile(
    rules,
    `local all all peer\nhost postgres trusted_app 127.0.0.1/32 reject\nhost all all 127.0.0.1/32 scram-sha-256\n`,
  );
  const result = await pgwarden(
    ["hba", "apply", rules, "--conn", `postgresql://postgres@127.0.0.1:${cluster.port}/postgres`],
    { env: { PGPASSWORD: "apply-test-pw" } },
  );
  assert.equal(result.code, 0, result.stderr);
  const refused = await connect("trusted_app");
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /pg_hba\.conf rejects connection/);
  const usage = await pgwarden([
    "hba",
    "apply",
    rules,
    "--conn",
    `postgresql://postgres@127.0.0.1:${cluster.port}/postgres`,
    "--pgdata",
    cluster.dataDir,
  ]);
  assert.equal(usage.code, 2, "--conn and --pgdata are two targets");
  // Without either, PG* variables and libpq's defaults, as psql with no arguments (here a port nothing listens on).
  const defaults = await pgwarden(["hba", "apply", rules], { env: { PGHOST: "127.0.0.1", PGPORT: "1" } });
  assert.equal(defaults.code, 5, defaults.stderr);
  assert.match(defaults.stderr, /cannot connect \(PG\* environment and libpq defaults, no --conn\)/);
});

test("hba apply --pgdata follows the server's hba_file outside PGDATA (Debian's layout)", async () => {
  const etc = await makeTempDir("pgwarden-hba-etc-");
  const external = join(etc, "pg_hba.conf");
  await writeFile(external, "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n", { mode: 0o640 });
  const owner = await stat(etc);
  await chown(external, owner.uid, owner.gid);
  const debian = await startCluster({ settings: { hba_file: external } });
  try {
    await debian.sql("CREATE ROLE trusted_app LOGIN");
    const inPgdata = await readFile(join(debian.dataDir, "pg_hba.conf"), "utf8").catch(() => undefined);
    const rules = join(work.dir, "debian.conf");
    await writeFile(
      rules,
      "local all all peer\nhost postgres trusted_app 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
    );
    const result = await pgwarden(["hba", "apply", rules, "--pgdata", debian.dataDir, "--format", "json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { hbaFile: string }).hbaFile, external);
    assert.equal(await readFile(external, "utf8"), await readFile(rules, "utf8"));
    assert.equal(
      await readFile(join(debian.dataDir, "pg_hba.conf"), "utf8").catch(() => undefined),
      inPgdata,
      "PGDATA/pg_hba.conf is not the server's file and is left alone",
    );
    const login = await runClient("psql", [
      "-X",
      "-A",
      "-t",
      "-c",
      "select current_user",
      `host=127.0.0.1 port=${debian.port} dbname=postgres user=trusted_app sslmode=disable`,
    ]);
    assert.equal(login.stdout.trim(), "trusted_app", login.stderr);
  } finally {
    await debian.stop();
    await rm(etc, { recursive: true, force: true });
  }
});

test("hba apply writes through a symlinked pg_hba.conf into the file it names; the link stays a link", async () => {
  const repo = await makeTempDir("pgwarden-hba-repo-");
  const target = join(repo, "pg_hba.conf");
  await writeFile(target, "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n", { mode: 0o640 });
  const owner = await stat(repo);
  await chown(target, owner.uid, owner.gid);
  const linked = await startCluster();
  const link = join(linked.dataDir, "pg_hba.conf");
  try {
    await rm(link);
    await symlink(target, link);
    await linked.sql("SELECT pg_reload_conf()");
    await linked.sql("CREATE ROLE trusted_app LOGIN");
    const rules = join(work.dir, "linked.conf");
    await writeFile(
      rules,
      "local all all peer\nhost postgres trusted_app 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
    );
    const result = await pgwarden(["hba", "apply", rules, "--pgdata", linked.dataDir, "--format", "json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok((await lstat(link)).isSymbolicLink(), "pg_hba.conf in PGDATA is still the link");
    assert.equal(await readlink(link), target);
    assert.equal(
      await readFile(target, "utf8"),
      await readFile(rules, "utf8"),
      "the file the link names holds the new rules",
    );
    const login = await runClient("psql", [
      "-X",
      "-A",
      "-t",
      "-c",
      "select current_user",
      `host=127.0.0.1 port=${linked.port} dbname=postgres user=trusted_app sslmode=disable`,
    ]);
    assert.equal(login.stdout.trim(), "trusted_app", login.stderr);
  } finally {
    await linked.stop();
    await rm(repo, { recursive: true, force: true });
  }
});

test("hba apply refuses a file the server does not read (another host's path, a wrong --hba-file): nothing written", async () => {
  const elsewhere = join(work.dir, "not-the-servers.conf");
  const original = "host all all 127.0.0.1/32 reject\n";
  await writeFile(elsewhere, original);
  const rules = join(work.dir, "wanted.conf");
  await writeFile(rules, "local all all peer\nhost all all 127.0.0.1/32 trust\n");
  const result = await pgwarden(["hba", "apply", rules, "--pgdata", cluster.dataDir, "--hba-file", elsewhere]);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(
    result.stderr,
    /the server's hba_file .*not-the-servers\.conf is not the file pgwarden finds at that path: run pgwarden on the server's own host/,
  );
  assert.equal(await readFile(elsewhere, "utf8"), original, "nothing written");
  assert.deepEqual(
    (await readdir(work.dir)).filter((name) => name.startsWith("not-the-servers.conf.")),
    [],
    "no backup either",
  );
});
