import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import { ExitCode, PgwardenError, notFoundError } from "../errors.js";
import { PRIVATE_FILE_MODE, writeFileAtomic } from "../fs/atomic-write.js";
import { writeKeepingBackup } from "../fs/backup.js";
import { isRoot, ownerOf, runProgram, type OsUser } from "../pg/os-user.js";
import { readPostmasterPid } from "../pg/postmaster.js";
import { FILE_ROWS_SQL, fileRefusal, type HbaFileRow } from "./apply/file-verdict.js";
import { blockingFindings } from "./apply/lint-gate.js";
import { blockedLogins, type LoginCheck } from "./apply/lockout.js";
import { endpointOf, postmasterBarrier } from "./apply/postmaster-barrier.js";
import { confirmReload, LOAD_TIME_SQL, type Asked, type ReloadProbes } from "./apply/reload-confirmation.js";
import { APPLY_FACTS_SQL, type ApplyFacts } from "./apply/server-facts.js";
import { LOG_FACTS_SQL, locateServerLog, logCursor, type LogFacts } from "./apply/server-log.js";
import type { HbaFile } from "./model.js";
import { parseHbaText } from "./parse/index.js";

/**
 * What applying access rules needs from a server: where its file is, a way to ask it
 * (pg_hba_file_rules, its facts, its load time), a reload, and a barrier behind it.
 */
export interface HbaTarget extends ReloadProbes {
  readonly hbaFile: string;
  /**
   * MD5 of the file as the server reads it at its hba_file, or undefined when it cannot read
   * it: what proves that the file pgwarden writes is the one the server judges and loads.
   * Throws when the server cannot be asked at all.
   */
  serverDigest(): Promise<string | undefined>;
  reload(): Promise<void>;
}

const DIGEST_SQL = "SELECT md5(pg_catalog.pg_read_file(current_setting('hba_file'))) AS digest";
const HBA_FILE_SQL = "SELECT current_setting('hba_file') AS hba_file";

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

/** node-postgres returns one result per statement of a multi-statement query: the last one answers. */
function lastResult(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult {
  return Array.isArray(result) ? (result[result.length - 1] as pg.QueryResult) : result;
}

/**
 * A server reached as a superuser (`--conn`): its `hba_file`, pg_hba_file_rules, pg_reload_conf().
 * Every question goes through this one session, which a reload never ends.
 */
export async function connectionTarget(client: pg.Client): Promise<HbaTarget> {
  const file = await client.query<{ hba_file: string }>(HBA_FILE_SQL);
  const endpoint = endpointOf(client.host, client.port);
  return {
    hbaFile: (file.rows[0] as { hba_file: string }).hba_file,
    serverDigest: async () => (await client.query<{ digest: string }>(DIGEST_SQL).then((result) => result.rows[0]?.digest, () => undefined)),
    reload: async () => void (await client.query("SELECT pg_reload_conf()")),
    ask: async <T>(sql: string): Promise<Asked<T>> => {
      const result = lastResult((await client.query(sql)) as pg.QueryResult | pg.QueryResult[]);
      return { refused: false, value: (result.rows[0] as { doc: T }).doc };
    },
    barrier: () => postmasterBarrier(endpoint),
  };
}

/** What psql says when the server refuses the login itself (pg_hba.conf, or the method's check). */
const LOGIN_REFUSED = /pg_hba\.conf|authentication failed/;

/**
 * A cluster on this machine (`--pgdata`): psql over its socket as the data directory's
 * owner (peer), one new session per question, pg_ctl reload. The server must be running:
 * only it can judge the file.
 */
export async function pgdataTarget(pgdata: string, binDir: string, hbaFile?: string): Promise<HbaTarget> {
  const running = await readPostmasterPid(pgdata);
  if (!running) throw notFoundError("not-running", `no server runs on ${pgdata}: start it, so PostgreSQL can check the new rules before they are loaded`);
  const owner: OsUser = await ownerOf(pgdata);
  const socketDir = running.socketDir ?? "/var/run/postgresql";
  const args = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDir, "-p", String(running.port), "-d", "postgres", "-U", owner.name];
  const run = (sql: string) => runProgram(join(binDir, "psql"), args, { user: isRoot() ? owner : undefined, input: sql });
  const failed = (stderr: string) => new PgwardenError("psql-failed", `cannot ask the server as ${owner.name} over its socket: ${stderr.trim()}`, ExitCode.connection);
  const psql = async (sql: string) => {
    const result = await run(sql);
    if (result.code !== 0) throw failed(result.stderr);
    return result.stdout;
  };
  return {
    // Unless told, the server says where its file is (hba_file may point outside PGDATA, as on Debian).
    hbaFile: hbaFile ?? ((await psql(`${HBA_FILE_SQL};`)).trim() || join(pgdata, "pg_hba.conf")),
    serverDigest: async () => {
      const result = await run(`${DIGEST_SQL};`);
      // psql exits 2 when it cannot reach the server at all (with --hba-file this is the first question asked): no verdict on the file.
      if (result.code === 2) throw failed(result.stderr);
      return result.code === 0 ? result.stdout.trim() || undefined : undefined;
    },
    ask: async <T>(sql: string): Promise<Asked<T>> => {
      const result = await run(`${sql};`);
      // psql exits 2 when the connection fails; its message says whether the server refused the login.
      if (result.code === 2 && LOGIN_REFUSED.test(result.stderr)) return { refused: true, message: result.stderr.trim().split("\n")[0] ?? "" };
      if (result.code !== 0) throw failed(result.stderr);
      return { refused: false, value: JSON.parse(result.stdout) as T };
    },
    barrier: () => postmasterBarrier({ socketPath: join(socketDir, `.s.PGSQL.${running.port}`) }),
    reload: async () => {
      const result = await runProgram(join(binDir, "pg_ctl"), ["reload", "-s", "-D", pgdata], { user: isRoot() ? owner : undefined });
      if (result.code !== 0) throw new PgwardenError("reload-failed", `pg_ctl reload failed: ${result.stderr.trim()}`, ExitCode.connection);
    },
  };
}

export interface ApplyOptions {
  readonly now: Date;
  /**
   * Install even when the new rules would refuse pgwarden's own connection or the bootstrap
   * superuser's socket login (or pgwarden cannot tell), or when lint finds critical risks.
   * PostgreSQL's own verdict is never overridden. Default false.
   */
  readonly force?: boolean;
  /** The server's log file, when pgwarden cannot find it (default: the collector's file, else the postmaster's stderr). */
  readonly serverLog?: string;
}

export interface ApplyResult {
  readonly hbaFile: string;
  readonly action: "create" | "replace" | "unchanged";
  readonly backup?: string;
  readonly reloaded: boolean;
  /** How pgwarden knows the server loaded the new rules. */
  readonly confirmedBy?: string;
  /** What --force let through, one sentence each. */
  readonly overridden: readonly string[];
}

/** One login the new rules would not let in, in words: the line that refuses it, or that none matches, or why pgwarden cannot tell. */
function blockedText({ who, explanation }: LoginCheck): string {
  if (explanation.verdict === "unknown") return `pgwarden cannot tell whether they let in ${who}: ${explanation.reason}`;
  const first = explanation.first;
  if (!first) return `they refuse ${who}: no line matches it (PostgreSQL answers "no pg_hba.conf entry")`;
  return `they refuse ${who}: line ${first.rule.source.line} (${first.rule.text.trim()}) matches it and ${first.outcome.reason ?? "refuses it"}`;
}

/** The checks of pgwarden's own before anything is written: what would lock the operators out, what lint calls critical. */
function ownChecks(parsed: HbaFile, facts: ApplyFacts): PgwardenError[] {
  const problems: PgwardenError[] = [];
  const blocked = blockedLogins(parsed.rules, facts);
  if (blocked.length > 0) {
    const certain = blocked.every((check) => check.explanation.verdict === "refused");
    problems.push(new PgwardenError("hba-lockout", `the new rules ${certain ? "would" : "may"} lock operators out: ${blocked.map(blockedText).join("; ")}`, ExitCode.checkFailed));
  }
  const findings = blockingFindings(parsed.rules, facts);
  const [finding] = findings;
  if (finding) {
    const more = findings.length > 1 ? ` (and ${findings.length - 1} more)` : "";
    problems.push(
      new PgwardenError(
        "hba-lint-critical",
        `lint finds a ${finding.severity} risk in the new rules: line ${finding.source.line} (${finding.rule.trim()}) ${finding.id}: ${finding.message}${more}; fix: ${finding.fix}`,
        ExitCode.checkFailed,
      ),
    );
  }
  return problems;
}

/**
 * parseHbaText as the server's version reads the file, with an unreadable @file counted as a
 * line pgwarden cannot read (PostgreSQL judges it next).
 */
async function parseCandidate(text: string, hbaFile: string, facts: ApplyFacts): Promise<HbaFile> {
  return parseHbaText(text, hbaFile, { majorVersion: Math.floor(facts.versionNum / 10_000) }).catch((error: unknown) => ({ rules: [], errors: [{ source: { file: hbaFile, line: 0 }, message: (error as Error).message }] }));
}

const FORCE_HINT = "nothing was written; fix the rules, or add --force to install them anyway";

/**
 * Installs new access rules. Before anything is written: the new rules must let in
 * pgwarden's own connection and the bootstrap superuser's socket login (pgwarden's explain
 * engine), and lint must find nothing critical, unless forced. Then the old file is backed
 * up, the new one written atomically with the old one's owner and mode, PostgreSQL judges
 * it (pg_hba_file_rules, read as a reload reads the file), the server reloads, and its log
 * must show that it loaded the file. Any refusal puts the old file back (exit 3), so a
 * restart still finds rules it can load.
 */
export async function applyHba(target: HbaTarget, text: string, optionsOrNow: ApplyOptions | Date): Promise<ApplyResult> {
  const options: ApplyOptions = optionsOrNow instanceof Date ? { now: optionsOrNow } : optionsOrNow;
  const old = await readFile(target.hbaFile, "utf8").catch(() => undefined);
  // The server must read the very file written here; on another host (or mount) it would judge, and load, its own.
  const seen = await target.serverDigest();
  if (seen === undefined || old === undefined || seen !== md5(old)) {
    throw new PgwardenError(
      "hba-file-elsewhere",
      `the server's hba_file ${target.hbaFile} is not the file pgwarden finds at that path${old === undefined ? " (there is none here)" : ""}: run pgwarden on the server's own host (or give --hba-file where it really is)`,
      ExitCode.usage,
    );
  }
  if (old === text) return { hbaFile: target.hbaFile, action: "unchanged", reloaded: false, overridden: [] };

  const answer = async <T>(sql: string): Promise<T> => {
    const asked = await target.ask<T>(sql);
    if (asked.refused) throw new PgwardenError("login-refused", `the server refuses pgwarden's login: ${asked.message}`, ExitCode.connection);
    return asked.value;
  };
  const facts = await answer<ApplyFacts>(APPLY_FACTS_SQL);
  const parsed = await parseCandidate(text, target.hbaFile, facts);
  const unread = parsed.errors[0];
  const overridden: string[] = [];
  // A file pgwarden cannot read, or with no rule, is PostgreSQL's to judge first (its refusal is the one to show); see below.
  const checkable = unread === undefined && parsed.rules.length > 0;
  if (checkable) {
    for (const problem of ownChecks(parsed, facts)) {
      if (!options.force) throw new PgwardenError(problem.code, `${problem.message}: ${FORCE_HINT}`, problem.exitCode);
      overridden.push(problem.message);
    }
  }
  const log = await locateServerLog(await answer<LogFacts>(LOG_FACTS_SQL), options.serverLog);
  if (!log) {
    throw notFoundError(
      "server-log-unreadable",
      `${options.serverLog !== undefined ? `${options.serverLog} is not a file pgwarden can read` : "pgwarden cannot find the server's log on this machine"}, and only the log says whether PostgreSQL loaded new rules: turn logging_collector on, or give --server-log FILE (nothing was written)`,
    );
  }

  const info = await stat(target.hbaFile).catch(() => undefined);
  const fileOptions = { mode: info ? info.mode & 0o777 : PRIVATE_FILE_MODE, owner: info && isRoot() ? { uid: info.uid, gid: info.gid } : undefined };
  const written = await writeKeepingBackup(target.hbaFile, text, fileOptions, options.now);
  const restore = () => writeFileAtomic(target.hbaFile, old, fileOptions);
  /** What `asked` resolves to; if it fails, the old file is put back first. */
  const restoringOnFailure = <T>(asked: Promise<T>) =>
    asked.catch(async (error: unknown) => {
      await restore();
      throw error;
    });
  const refuse = async (error: PgwardenError): Promise<never> => {
    await restore();
    throw error;
  };

  const refusal = fileRefusal(await restoringOnFailure(answer<HbaFileRow[]>(FILE_ROWS_SQL)), target.hbaFile);
  if (refusal) {
    const where = refusal.line !== undefined ? `${target.hbaFile} line ${refusal.line}: ` : "";
    const more = refusal.more > 0 ? `, and ${refusal.more} more` : "";
    // Where the view gives no reason, pgwarden's parser may have one for the same line.
    const ours = refusal.silent ? parsed.errors.find((error) => error.source.line === refusal.line && error.source.file === target.hbaFile) : undefined;
    const reading = ours ? `; pgwarden reads: ${ours.message}` : "";
    await refuse(new PgwardenError("hba-rejected", `PostgreSQL rejects the new rules (${where}${refusal.message}${reading}${more}): the previous file is back in place, nothing was reloaded`, ExitCode.config));
  }
  if (!checkable) {
    const what = unread ? `read line ${unread.source.line} of the new rules (${unread.message}), though PostgreSQL can` : "find a rule in the new file, though PostgreSQL does";
    const problem = `pgwarden cannot ${what}, so it cannot check that they keep pgwarden's and the superuser's logins`;
    if (!options.force) await refuse(new PgwardenError("hba-unchecked", `${problem}: the previous file is back in place; add --force to install them unchecked`, ExitCode.checkFailed));
    overridden.push(problem);
  }
  if ((await restoringOnFailure(target.serverDigest())) !== md5(text)) {
    await refuse(new PgwardenError("hba-file-elsewhere", `the server does not read the file pgwarden wrote at ${target.hbaFile}: the previous file is back in place, nothing was reloaded`, ExitCode.usage));
  }

  const loadTimeBefore = await restoringOnFailure(answer<string>(LOAD_TIME_SQL));
  const cursor = await restoringOnFailure(logCursor(log));
  await restoringOnFailure(target.reload());
  const outcome = await restoringOnFailure(confirmReload(target, cursor, loadTimeBefore, options.serverLog));
  if (outcome.kind === "not-loaded") {
    // The server kept its old rules: the old file back on disk is what a restart will load too.
    await refuse(new PgwardenError("hba-not-loaded", `PostgreSQL did not load the new rules at reload (${outcome.reason}): the previous file is back in place and the server keeps the rules it had`, ExitCode.config));
  }
  if (outcome.kind === "unconfirmed") {
    await restore();
    // Whatever the server did, it reads the old file again.
    const again = await target.reload().then(() => "reloaded", (error: unknown) => `not reloaded (${(error as Error).message}): reload the server`);
    throw new PgwardenError("hba-unconfirmed", `pgwarden cannot confirm that PostgreSQL loaded the new rules: ${outcome.why}; the previous file is back in place and ${again}`, ExitCode.config);
  }
  return { hbaFile: target.hbaFile, action: written.action, backup: written.backup, reloaded: true, confirmedBy: outcome.evidence, overridden };
}
