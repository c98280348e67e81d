/*
 * `hba apply` against a real PostgreSQL 15 (ssl on): files only a reload refuses, the
 * server's log as the proof of a reload, and rules that would lock the operators out or
 * that lint calls critical. Every refusal leaves the old file, and the server restarts.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chown, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, before, test } from "node:test";

import { quoteLiteral } from "../src/core/identifier.js";
import { pgdataTarget } from "../src/hba/apply.js";
import { type Asked, confirmReload, LOAD_TIME_SQL } from "../src/hba/apply/reload-confirmation.js";
import { locateServerLog, LOG_FACTS_SQL, logCursor, type LogFacts } from "../src/hba/apply/server-log.js";
import { scramVerifier } from "../src/roles/scram.js";
import { type CliResult, issueWithCli, pgwarden, PGWARDEN_BIN, tempDir } from "./support/cli.js";
import { type Cluster, findPgBinDir, runClient, startCluster } from "./support/pg-cluster.js";

const ORIGINAL_RULES = ["host postgres trusted_app 127.0.0.1/32 trust", "host all all 127.0.0.1/32 scram-sha-256"];
const SUPERUSER_PASSWORD = randomBytes(12).toString("hex");

/**
 * Files PostgreSQL 15 refuses at reload (and at a restart), which pgwarden's own parser refuses
 * first: they never reach the disk, so no interrupted apply can leave them there.
 */
const RELOAD_REFUSES = [
  { name: "empty", text: "", says: /the new rules contain no entries .*nothing was written/ },
  {
    name: "comment-only",
    text: "# nothing but a comment\n\n   # and another\n",
    says: /the new rules contain no entries .*nothing was written/,
  },
  {
    name: "garbage line",
    text: "garbage line\n",
    says: /the new rules are invalid \(line 1: invalid connection type "garbage"\): nothing was written/,
  },
  {
    name: "clientname=XY",
    text: "local all all peer\nhostssl all all 127.0.0.1/32 cert clientname=XY\n",
    says: /the new rules are invalid \(line 2: invalid value for clientname: "XY"\): nothing was written/,
  },
] as const;

let cluster: Cluster;
let work: { dir: string; cleanup: () => Promise<void> };
let hbaFile: string;
let original: string;
let clientCert: { cert: string; key: string; ca: string };

async function cli(args: string[]): Promise<CliResult> {
  const result = await pgwarden(args);
  assert.equal(result.code, 0, `pgwarden ${args.join(" ")}: ${result.stderr}`);
  return result;
}

before(async () => {
  work = await tempDir("pgwarden-hba-apply-safety-");
  const pki = join(work.dir, "pki");
  await cli(["ca", "init", "--pki", pki]);
  const server = await issueWithCli(pki, "server", "apply-server", ["127.0.0.1"]);
  // ssl on: without it PostgreSQL complains about every hostssl line, and clientname=XY would not be the silent case.
  const caPem = await readFile(join(pki, "ca", "ca.crt"), "utf8");
  cluster = await startCluster({
    hba: ORIGINAL_RULES,
    tls: { certPem: await readFile(server.certPath, "utf8"), keyPem: await readFile(server.keyPath, "utf8"), caPem },
  });
  const client = await issueWithCli(pki, "client", cluster.superuser);
  clientCert = { cert: client.certPath, key: client.keyPath, ca: join(pki, "ca", "ca.crt") };
  await cluster.sql(
    `CREATE ROLE trusted_app LOGIN; ALTER ROLE ${cluster.superuser} PASSWORD ${quoteLiteral(scramVerifier(SUPERUSER_PASSWORD))};`,
  );
  hbaFile = join(cluster.dataDir, "pg_hba.conf");
  original = await readFile(hbaFile, "utf8");
});
after(async () => {
  await cluster?.stop();
  await work?.cleanup();
});

type Mode = "pgdata" | "conn";
const connUrl = () => `postgresql://${cluster.superuser}@127.0.0.1:${cluster.port}/postgres`;

/** `pgwarden hba apply` with the rules in `text`, through --pgdata or --conn. */
async function apply(
  mode: Mode,
  text: string,
  extra: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const rules = join(work.dir, `rules-${randomBytes(4).toString("hex")}.conf`);
  await writeFile(rules, text);
  const target = mode === "pgdata" ? ["--pgdata", cluster.dataDir] : ["--conn", connUrl()];
  return pgwarden(["hba", "apply", rules, ...target, ...extra], { env: { PGPASSWORD: SUPERUSER_PASSWORD, ...env } });
}

/** The backups pgwarden made of `file`, by name. */
const backupsOf = async (file: string) =>
  (await readdir(dirname(file)))
    .filter((name) => name.startsWith(`${basename(file)}.`) && name.endsWith(".bak"))
    .sort();

/** The old rules at work: trusted_app gets in over TCP without a password. */
async function oldRulesServe(): Promise<void> {
  const login = await runClient("psql", [
    "-X",
    "-A",
    "-t",
    "-c",
    "select current_user",
    `host=127.0.0.1 port=${cluster.port} dbname=postgres user=trusted_app sslmode=disable`,
  ]);
  assert.equal(login.stdout.trim(), "trusted_app", login.stderr);
}

/** The superuser over the unix socket, as psql (peer) sees it. */
const socketLogin = () =>
  runAsServer("psql", [
    "-X",
    "-A",
    "-t",
    "-h",
    cluster.socketDir,
    "-p",
    String(cluster.port),
    "-U",
    cluster.superuser,
    "-d",
    "postgres",
    "-c",
    "select 1",
  ]);

function runAsServer(program: string, args: string[]) {
  const path = program.includes("/") ? program : join(findPgBinDir(), program);
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  return root
    ? runClient("runuser", ["-u", cluster.osUser, "--", path, ...args], { cwd: cluster.baseDir })
    : runClient(path, args, { cwd: cluster.baseDir });
}

/** Puts the original file back behind pgwarden's back and reloads with pg_ctl (no login needed). */
async function restoreByHand(text: string = original): Promise<void> {
  await writeFile(hbaFile, text);
  const reload = await runAsServer("pg_ctl", ["reload", "-s", "-D", cluster.dataDir]);
  assert.equal(reload.code, 0, reload.stderr);
  const deadline = Date.now() + 10_000;
  while ((await socketLogin()).code !== 0) {
    assert.ok(Date.now() < deadline, "the superuser's socket login did not come back");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("hba apply refuses files a reload refuses (empty, comment-only, a garbage line, clientname=XY) before writing anything, over --pgdata and --conn: exit 3, file bytes and mtime unchanged, no backup, and the server restarts", async () => {
  for (const mode of ["pgdata", "conn"] as const) {
    for (const candidate of RELOAD_REFUSES) {
      const logBefore = (await cluster.log()).length;
      const before = await stat(hbaFile);
      const backups = await backupsOf(hbaFile);
      const result = await apply(mode, candidate.text);
      assert.equal(result.code, 3, `${mode} ${candidate.name}: ${result.stderr}`);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, candidate.says, `${mode} ${candidate.name}`);
      assert.equal(await readFile(hbaFile, "utf8"), original, `${mode} ${candidate.name}: the file is untouched`);
      assert.equal((await stat(hbaFile)).mtimeMs, before.mtimeMs, `${mode} ${candidate.name}: never rewritten`);
      assert.deepEqual(await backupsOf(hbaFile), backups, `${mode} ${candidate.name}: no backup made`);
      assert.doesNotMatch(
        (await cluster.log()).slice(logBefore),
        /pg_hba\.conf was not reloaded/,
        "refused before any reload",
      );
    }
  }
  const restart = await runAsServer("pg_ctl", [
    "restart",
    "-w",
    "-t",
    "60",
    "-D",
    cluster.dataDir,
    "-l",
    cluster.logFile,
  ]);
  assert.equal(restart.code, 0, `the server restarts after the refused applies: ${restart.stderr}${restart.stdout}`);
  await oldRulesServe();
  assert.equal((await socketLogin()).code, 0);
});

test("confirmReload reads the reload's outcome from the server's log (postmaster stderr, and the logging collector's file): PostgreSQL's reason when it keeps the old rules", async () => {
  const collector = await startCluster({ settings: { logging_collector: "on", log_directory: "log" } });
  try {
    for (const server of [cluster, collector]) {
      const target = await pgdataTarget(server.dataDir, findPgBinDir());
      const file = join(server.dataDir, "pg_hba.conf");
      const kept = await readFile(file, "utf8");
      const value = async <T>(asked: Promise<Asked<T>>): Promise<T> => {
        const answer = await asked;
        assert.ok(!answer.refused);
        return answer.value;
      };
      const log = await locateServerLog(await value(target.ask<LogFacts>(LOG_FACTS_SQL)));
      assert.ok(log, "the server's log is found");
      assert.equal(
        log.via,
        server === collector ? "pg_current_logfile()" : `the postmaster's stderr, ${server.logFile}`,
      );
      // Written behind the pre-check's back: only the reload judges these.
      const cases = [
        {
          text: "",
          outcome: { kind: "not-loaded", reason: /configuration file ".*pg_hba\.conf" contains no entries/ },
        },
        {
          text: `${kept}host all all 127.0.0.1/32 scram-sha-256 clientname=CN\n`,
          outcome: {
            kind: "not-loaded",
            reason: /clientname can only be configured for "hostssl" rows; line \d+ of configuration file/,
          },
        },
        { text: `${kept}host all nobody 127.0.0.1/32 reject\n`, outcome: { kind: "loaded" } },
      ] as const;
      for (const { text, outcome } of cases) {
        await writeFile(file, text);
        const before = await value(target.ask<string>(LOAD_TIME_SQL));
        const cursor = await logCursor(log);
        await target.reload();
        const seen = await confirmReload(target, cursor, before);
        await writeFile(file, kept);
        assert.equal(seen.kind, outcome.kind, JSON.stringify(seen));
        if (seen.kind === "not-loaded" && "reason" in outcome) assert.match(seen.reason, outcome.reason);
        if (seen.kind === "loaded") assert.match(seen.evidence ?? "", /shows the reload with no complaint/);
      }
      await target.reload();
    }
  } finally {
    await collector.stop();
  }
});

test("hba apply refuses rules that refuse the superuser's socket login (exit 1, names the line); --force installs them, PostgreSQL then refuses that login, and --conn undoes it", async () => {
  const lockout =
    "local all all reject\nhost postgres trusted_app 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
  const refused = await apply("conn", lockout);
  assert.equal(refused.code, 1, refused.stderr);
  assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  assert.match(
    refused.stderr,
    new RegExp(
      `the superuser's socket login \\(${cluster.superuser} to postgres over the unix socket\\): line 1 \\(local all all reject\\) matches it`,
    ),
  );
  assert.match(refused.stderr, /nothing was written; fix the rules, or add --force/);
  assert.equal(await readFile(hbaFile, "utf8"), original);

  const forced = await apply("conn", lockout, ["--force", "--format", "json"]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, /warning: installed despite --force: the new rules would lock operators out/);
  assert.equal(await readFile(hbaFile, "utf8"), lockout);
  const locked = await socketLogin();
  assert.notEqual(locked.code, 0, "pgwarden's verdict is PostgreSQL's");
  assert.match(locked.stderr, /pg_hba\.conf rejects connection/);

  const undone = await apply("conn", original);
  assert.equal(undone.code, 0, undone.stderr);
  assert.equal((await socketLogin()).code, 0, "the socket login is back");
});

test("hba apply --conn refuses rules that refuse its own connection (exit 1, names the line and the connection)", async () => {
  const result = await apply("conn", "local all all peer\nhost all all 127.0.0.1/32 reject\n");
  assert.equal(result.code, 1, result.stderr);
  // No sslmode in --conn is libpq's prefer: over TLS, as psql connects to this TLS server.
  assert.match(
    result.stderr,
    new RegExp(
      `pgwarden's own connection \\(${cluster.superuser} to postgres from 127\\.0\\.0\\.1 over TLS\\): line 2 \\(host all all 127\\.0\\.0\\.1/32 reject\\) matches it and the line rejects`,
    ),
  );
  assert.equal(await readFile(hbaFile, "utf8"), original);

  // PostgreSQL would look 127.0.0.1 up in DNS for the host name line; pgwarden does not, so it cannot tell, and fails closed.
  const unsure = await apply(
    "conn",
    "local all all peer\nhost all all db.example.invalid reject\nhost all all 127.0.0.1/32 scram-sha-256\n",
  );
  assert.equal(unsure.code, 1, unsure.stderr);
  assert.match(
    unsure.stderr,
    /the new rules may lock operators out: pgwarden cannot tell whether they let in pgwarden's own connection .*host name db\.example\.invalid/,
  );
  assert.equal(await readFile(hbaFile, "utf8"), original);
});

test("hba apply --pgdata refuses rules without the local line it connects through; --force installs them and knows they are in force when it is refused", async () => {
  const noLocal = "host postgres trusted_app 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n";
  const refused = await apply("pgdata", noLocal);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(
    refused.stderr,
    new RegExp(
      `they refuse pgwarden's own connection, the superuser's socket login \\(${cluster.superuser} to postgres over the unix socket\\): no line matches it`,
    ),
  );
  assert.equal(await readFile(hbaFile, "utf8"), original);

  const forced = await apply("pgdata", noLocal, ["--force", "--format", "json"]);
  assert.equal(forced.code, 0, forced.stderr);
  const report = JSON.parse(forced.stdout) as { reloaded: boolean; confirmedBy: string };
  assert.ok(report.reloaded);
  assert.match(report.confirmedBy, /the server now refuses pgwarden's own login, which the old rules let in/);
  const locked = await socketLogin();
  assert.match(locked.stderr, /no pg_hba\.conf entry for host "\[local\]"/, "pgwarden's verdict is PostgreSQL's");
  await restoreByHand();
});

test("hba apply refuses a critical lint finding (trust from 0.0.0.0/0) unless --force", async () => {
  const open = "local all all peer\nhost all all 0.0.0.0/0 trust\n";
  const refused = await apply("pgdata", open);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(
    refused.stderr,
    /lint finds a critical risk in the new rules: line 2 \(host all all 0\.0\.0\.0\/0 trust\) trust-from-network/,
  );
  assert.equal(await readFile(hbaFile, "utf8"), original);

  const forced = await apply("pgdata", open, ["--force"]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, /installed despite --force: lint finds a critical risk/);
  assert.match(forced.stdout, /reloaded: yes, PostgreSQL loaded the new rules/);
  const back = await apply("pgdata", original);
  assert.equal(back.code, 0, back.stderr);
  await oldRulesServe();
});

test("hba apply without a log it can read writes nothing (exit 4); with a file that is not the server's log it cannot confirm the reload, so it puts the old file back and reloads it (exit 3)", async () => {
  const wanted = `${original}host all nobody 127.0.0.1/32 reject\n`;
  const missing = await apply("pgdata", wanted, ["--server-log", join(work.dir, "no-such.log")]);
  assert.equal(missing.code, 4, missing.stderr);
  assert.match(
    missing.stderr,
    /no-such\.log is not a file pgwarden can read, and only the log says whether PostgreSQL loaded new rules: .*nothing was written/,
  );
  assert.equal(await readFile(hbaFile, "utf8"), original);

  const decoy = join(work.dir, "decoy.log");
  await writeFile(decoy, "not the server's log\n");
  const unconfirmed = await apply("pgdata", wanted, ["--server-log", decoy]);
  assert.equal(unconfirmed.code, 3, unconfirmed.stderr);
  assert.match(
    unconfirmed.stderr,
    /cannot confirm that PostgreSQL loaded the new rules: pgwarden's marker never reached the log file .*the previous file is back in place and reloaded/,
  );
  assert.equal(await readFile(hbaFile, "utf8"), original);
  await oldRulesServe();
});

test("hba apply --help says what --force overrides and where the log comes from", async () => {
  const help = await pgwarden(["hba", "apply", "--help"]);
  assert.equal(help.code, 0);
  // commander wraps lines: compare with the blanks folded.
  const text = help.stdout.replace(/\s+/g, " ");
  assert.match(
    text,
    /--force install even when the new rules would refuse pgwarden's own connection or the superuser's socket login/,
  );
  assert.match(text, /lint finds critical \(its highest severity\) risks/);
  assert.match(text, /--server-log <file>/);
  assert.match(text, /\$ pgwarden hba apply lockdown\.conf --pgdata \/pg\/data --force/);
  assert.match(text, /SIGINT\/SIGTERM\/SIGHUP while the new file is on trial put the old one back first/);
  assert.match(
    text,
    /Only a restart by someone else between a kill -9 and the next hba apply can still load the unconfirmed file/,
  );
});

/** pgwarden hba apply as a child process this test can signal. */
function spawnApply(
  rules: string,
  signal: NodeJS.Signals,
  delayMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; killedAt: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PGWARDEN_BIN, "hba", "apply", rules, "--pgdata", cluster.dataDir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const started = Date.now();
    let killedAt = -1;
    const timer = setTimeout(() => {
      killedAt = Date.now() - started;
      child.kill(signal);
    }, delayMs);
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stderr, killedAt });
    });
  });
}

test("hba apply interrupted (SIGINT, SIGTERM, SIGHUP at random moments) leaves the old file or, if it finished, the new one: never a half-applied state; kill -9 is undone by the next apply, and the server restarts", async () => {
  const candidate = `${original}host all nobody 127.0.0.1/32 reject\n`;
  const rules = join(work.dir, "interrupt.conf");
  await writeFile(rules, candidate);
  // How long a whole apply takes here, so the kills spread over all of it.
  const timed = Date.now();
  const full = await apply("pgdata", candidate);
  assert.equal(full.code, 0, full.stderr);
  const span = Date.now() - timed;
  await restoreByHand();
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  let restoredBySignal = 0;
  let tries = 0;
  // Random moments over the later part of a run (the window opens once the checks are done), until a few land in the window.
  for (; tries < 30 && restoredBySignal < 4; tries += 1) {
    const signal = signals[tries % signals.length] as NodeJS.Signals;
    const run = await spawnApply(rules, signal, Math.floor(span * (0.3 + 0.7 * Math.random())));
    const onDisk = await readFile(hbaFile, "utf8");
    const journal = await stat(join(cluster.dataDir, ".pgwarden-hba-apply.json")).catch(() => undefined);
    assert.equal(journal, undefined, `no journal after ${signal}: ${run.stderr}`);
    if (run.code === 0) {
      assert.equal(onDisk, candidate, "finished: the new rules");
      await restoreByHand();
      continue;
    }
    if (run.code === null && onDisk === candidate) {
      // Killed by the signal's default action once the window had closed: the new rules were confirmed (no journal).
      await restoreByHand();
      continue;
    }
    assert.equal(onDisk, original, `${signal} at ${run.killedAt} ms (exit ${run.code}, ${run.signal}): ${run.stderr}`);
    if (run.code !== null && run.code >= 128) {
      assert.equal(run.code, { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 }[signal as "SIGINT"], run.stderr);
      assert.match(run.stderr, /^pgwarden: interrupted \(SIG[A-Z]+\): the previous rules are back in .*pg_hba\.conf; /);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      restoredBySignal += 1;
    }
    await restoreByHand();
  }
  for (let i = 0; i < 8; i += 1) {
    const run = await spawnApply(rules, "SIGKILL", Math.floor(Math.random() * span));
    const next = await apply("pgdata", original);
    assert.equal(next.code, 0, `the apply after kill -9 at ${run.killedAt} ms: ${next.stderr}`);
    assert.equal(await readFile(hbaFile, "utf8"), original, "the next apply ends with the old rules");
    await restoreByHand();
  }
  const restart = await runAsServer("pg_ctl", [
    "restart",
    "-w",
    "-t",
    "60",
    "-D",
    cluster.dataDir,
    "-l",
    cluster.logFile,
  ]);
  assert.equal(restart.code, 0, `the server restarts: ${restart.stderr}${restart.stdout}`);
  await oldRulesServe();
  assert.ok(
    restoredBySignal > 0,
    `no signal landed while the new file was in place in ${tries} tries (apply takes ${span} ms)`,
  );
});

test("hba apply finds the journal a killed apply left (its candidate in place, unconfirmed, its pid gone): puts the backup back, says so, and goes on", async () => {
  const candidate = `${original}host all nobody 127.0.0.1/32 reject\n`;
  const backup = `${hbaFile}.2026-12-04T21-00-00-000Z.bak`;
  await writeFile(backup, original);
  await writeFile(hbaFile, candidate);
  // A pid that is surely gone: a child that has exited.
  const dead = await new Promise<number>((resolve) => {
    const child = spawn("true");
    child.on("close", () => resolve(child.pid as number));
  });
  const md5 = (text: string) => createHash("md5").update(text).digest("hex");
  const journal = join(cluster.dataDir, ".pgwarden-hba-apply.json");
  await writeFile(
    journal,
    JSON.stringify({ pid: dead, hbaFile, backup, oldDigest: md5(original), candidateDigest: md5(candidate) }),
    { mode: 0o600 },
  );
  const result = await apply("pgdata", original, ["--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /a killed hba apply had left its unconfirmed rules in .*pg_hba\.conf: the file it replaced \(kept in .*\.bak\) is back in place and reloaded/,
  );
  assert.match(result.stderr, /kept in .*2026-12-04T21-00-00-000Z\.bak/);
  assert.equal(
    (JSON.parse(result.stdout) as { action: string }).action,
    "unchanged",
    "the old file was back before this apply compared",
  );
  assert.equal(await readFile(hbaFile, "utf8"), original);
  assert.equal(await stat(journal).catch(() => undefined), undefined, "the journal is gone");

  // A journal whose file is no longer its candidate (someone changed it since) is dropped, the file left alone.
  const other = `${original}host all nobody2 127.0.0.1/32 reject\n`;
  await writeFile(
    journal,
    JSON.stringify({ pid: dead, hbaFile, backup, oldDigest: md5(original), candidateDigest: md5(candidate) }),
    { mode: 0o600 },
  );
  await restoreByHand(other);
  const kept = await apply("pgdata", other);
  assert.equal(kept.code, 0, kept.stderr);
  assert.doesNotMatch(kept.stderr, /killed hba apply/);
  assert.equal(await readFile(hbaFile, "utf8"), other);
  assert.equal(await stat(journal).catch(() => undefined), undefined);
  await rm(backup);
  await restoreByHand();
});

test("a planted journal never copies another file into the rules: one naming a backup elsewhere is dropped, one another user owns is refused; a running apply's journal makes a second apply wait", async () => {
  const secret = join(tmpdir(), `pgwarden-root-only-${process.pid}`);
  await writeFile(secret, "root-only secret\n", { mode: 0o600 });
  const md5 = (text: string) => createHash("md5").update(text).digest("hex");
  const journal = join(cluster.dataDir, ".pgwarden-hba-apply.json");
  const planted = JSON.stringify({
    pid: 999_999_999,
    hbaFile,
    backup: secret,
    oldDigest: md5("root-only secret\n"),
    candidateDigest: md5(original),
  });
  try {
    await writeFile(journal, planted, { mode: 0o600 });
    const dropped = await apply("pgdata", original);
    assert.equal(dropped.code, 0, dropped.stderr);
    assert.equal(await readFile(hbaFile, "utf8"), original, "the secret was not copied into pg_hba.conf");
    assert.equal(await stat(journal).catch(() => undefined), undefined);
    // Written by the server's account, which owns the data directory: not pgwarden's.
    await writeFile(journal, planted, { mode: 0o600 });
    await chown(journal, (await stat(cluster.dataDir)).uid, (await stat(cluster.dataDir)).gid);
    const refused = await apply("pgdata", original);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr.trim(),
      /^pgwarden: error: .*\.pgwarden-hba-apply\.json was not written by this user, so pgwarden will not act on it/,
    );
    assert.equal(await readFile(hbaFile, "utf8"), original);
    // A journal whose apply still runs (this test's own process stands in for it): a second apply waits its turn.
    await rm(journal);
    await writeFile(
      journal,
      JSON.stringify({
        pid: process.pid,
        hbaFile,
        backup: `${hbaFile}.2026-12-04T21-00-00-000Z.bak`,
        oldDigest: "0",
        candidateDigest: "0",
      }),
      { mode: 0o600 },
    );
    const busy = await apply("pgdata", `${original}host all nobody3 127.0.0.1/32 reject\n`);
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(
      busy.stderr.trim(),
      new RegExp(
        `^pgwarden: error: another hba apply \\(pid ${process.pid}\\) is installing rules into .*: nothing was written`,
      ),
    );
    assert.equal(await readFile(hbaFile, "utf8"), original);
    assert.ok(await stat(journal), "the running apply's journal is left alone");
  } finally {
    await rm(journal, { force: true });
    await rm(secret, { force: true });
  }
});

/** Login methods pgwarden's own --pgdata login (peer as PGDATA's owner, no password) cannot pass on line 1, and why. */
const UNPASSABLE = [
  {
    method: "scram-sha-256",
    says: /line 1 \(local all \S+ scram-sha-256\) matches it and the login sends no password \(none was supplied\), so scram-sha-256 refuses it/,
  },
  { method: "md5", says: /line 1 \(local all \S+ md5\) matches it and the login sends no password/ },
  { method: "password", says: /line 1 \(local all \S+ password\) matches it and the login sends no password/ },
  {
    method: "pam",
    says: /may lock operators out: pgwarden cannot tell whether they let in .*pgwarden cannot tell whether it passes pam authentication on line 1/,
  },
  {
    method: 'ldap ldapserver=127.0.0.1 ldapprefix="cn=" ldapsuffix=",dc=example"',
    says: /cannot tell whether it passes ldap authentication on line 1/,
  },
  {
    method: "radius radiusservers=127.0.0.1 radiussecrets=s",
    says: /cannot tell whether it passes radius authentication on line 1/,
  },
  {
    method: "peer map=nomap",
    says: /line 1 \(local all \S+ peer map=nomap\) matches it and map nomap does not map OS user \S+ to \S+ on line 1/,
  },
] as const;

test("hba apply --pgdata refuses rules whose method pgwarden's own peer login cannot pass (scram-sha-256, md5, password, pam, ldap, radius, peer with a map pg_ident.conf lacks): exit 1 naming the line and why, file unchanged; --force installs", async () => {
  for (const { method, says } of UNPASSABLE) {
    const text = `local all ${cluster.superuser} ${method}\nhostssl all all 127.0.0.1/32 cert\n`;
    const refused = await apply("pgdata", text);
    assert.equal(refused.code, 1, `${method}: ${refused.stderr}`);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
    assert.match(refused.stderr, says, method);
    assert.match(refused.stderr, /nothing was written/);
    assert.equal(await readFile(hbaFile, "utf8"), original, method);
  }
  // The role with no password at all: the superuser's own socket login cannot pass either.
  await cluster.sql(`ALTER ROLE ${cluster.superuser} PASSWORD NULL`);
  try {
    const refused = await apply(
      "pgdata",
      `local all ${cluster.superuser} scram-sha-256\nhostssl all all 127.0.0.1/32 cert\n`,
    );
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`${cluster.superuser} has no password, so scram-sha-256 refuses it on line 1`),
    );
  } finally {
    await cluster.sql(`ALTER ROLE ${cluster.superuser} PASSWORD ${quoteLiteral(scramVerifier(SUPERUSER_PASSWORD))}`);
  }
  const forced = await apply(
    "pgdata",
    `local all ${cluster.superuser} scram-sha-256\nhostssl all all 127.0.0.1/32 cert\n`,
    ["--force"],
  );
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, /installed despite --force: the new rules would lock operators out/);
  const locked = await socketLogin();
  assert.notEqual(locked.code, 0, "PostgreSQL agrees: the peer login is refused");
  await restoreByHand();
});

test("hba apply --conn logged in by client certificate refuses rules that leave it only scram-sha-256 (it sent no password): exit 1 naming the line; --force installs", async () => {
  const cert = `hostssl all ${cluster.superuser} 127.0.0.1/32 cert\n`;
  const [local, ...rest] = original.split(/(?<=\n)/);
  await restoreByHand(`${local}${cert}${rest.join("")}`);
  const url = `postgresql://${cluster.superuser}@127.0.0.1:${cluster.port}/postgres?sslmode=verify-ca&sslrootcert=${clientCert.ca}&sslcert=${clientCert.cert}&sslkey=${clientCert.key}`;
  const text = `local all ${cluster.superuser} peer\nhostssl all ${cluster.superuser} 127.0.0.1/32 scram-sha-256\nhostssl all all 127.0.0.1/32 cert\n`;
  const rules = join(work.dir, "cert-lockout.conf");
  await writeFile(rules, text);
  const before = await readFile(hbaFile, "utf8");
  const refused = await pgwarden(["hba", "apply", rules, "--conn", url], { env: { PGPASSWORD: undefined } });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(
    refused.stderr,
    /pgwarden's own connection \(\S+ to postgres from 127\.0\.0\.1 over TLS\): line 2 \(hostssl all \S+ 127\.0\.0\.1\/32 scram-sha-256\) matches it and the login sends no password/,
  );
  assert.equal(await readFile(hbaFile, "utf8"), before, "unchanged");
  const forced = await pgwarden(["hba", "apply", rules, "--conn", url, "--force"], { env: { PGPASSWORD: undefined } });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await readFile(hbaFile, "utf8"), text);
  await restoreByHand();
});

test("hba apply --conn: rules the checks pass but the server refuses pgwarden's login under (the password it sends is not the role's; the old rules trusted it) are undone after the reload: exit 1, old rules back and in force", async () => {
  // Old rules: the superuser from 127.0.0.1 is trusted, so the wrong password pgwarden holds was never checked.
  const [local, ...rest] = original.split(/(?<=\n)/);
  const trusting = `${local}host all ${cluster.superuser} 127.0.0.1/32 trust\n${rest.join("")}`;
  await restoreByHand(trusting);
  // New rules: scram-sha-256; the role has a SCRAM verifier and pgwarden sends a password, so the pre-check passes.
  const result = await apply("conn", original, [], { PGPASSWORD: "not-the-password" });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.match(
    result.stderr,
    /the new rules refused pgwarden's own login once loaded \(.*password authentication failed.*\): the old ones are back in place and in force/,
  );
  assert.equal(await readFile(hbaFile, "utf8"), trusting);
  const forced = await apply("conn", original, ["--force"], { PGPASSWORD: "not-the-password" });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await readFile(hbaFile, "utf8"), original);
});
