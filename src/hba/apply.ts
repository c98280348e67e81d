import { readFile, realpath, stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";

import type pg from "pg";

import { ExitCode, type ExitCodeValue, notFoundError, PgwardenError, usageError } from "../core/errors.js";
import { PRIVATE_FILE_MODE, writeFileAtomic } from "../core/fs/atomic-write.js";
import { backupPath } from "../core/fs/backup.js";
import { isRoot, type OsUser, ownerOf, runProgram } from "../pg/os-user.js";
import { readPostmasterPid } from "../pg/postmaster.js";
import { FILE_ROWS_SQL, fileRefusal, type HbaFileRow } from "./apply/file-verdict.js";
import { md5Hex, recoverKilledApply, removeJournal, restoreSync, writeJournal } from "./apply/journal.js";
import { blockingFindings } from "./apply/lint-gate.js";
import { blockedLogins, type LoginCheck, type OwnLogin } from "./apply/lockout.js";
import { endpointOf, postmasterBarrier } from "./apply/postmaster-barrier.js";
import { type Asked, confirmReload, LOAD_TIME_SQL, type ReloadProbes } from "./apply/reload-confirmation.js";
import { APPLY_FACTS_SQL, type ApplyFacts, IDENT_MAPPINGS_SQL, type IdentMapping } from "./apply/server-facts.js";
import { locateServerLog, LOG_FACTS_SQL, logCursor, type LogFacts } from "./apply/server-log.js";
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
  /** What pgwarden's own login brings to a method (OS user, whether it sends a password). */
  readonly login: Omit<OwnLogin, "identMappings">;
  /** A fresh login made the way pgwarden logged in: undefined when the server lets it in, else the server's refusal. */
  probeLogin(): Promise<string | undefined>;
  /** Asks the server to reload at once, synchronously (a signal to the postmaster), where pgwarden can; for a signal handler. */
  reloadSync?(): void;
}

const DIGEST_SQL = "SELECT md5(pg_catalog.pg_read_file(current_setting('hba_file'))) AS digest";
const HBA_FILE_SQL = "SELECT current_setting('hba_file') AS hba_file";

/** node-postgres returns one result per statement of a multi-statement query: the last one answers. */
function lastResult(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult {
  return Array.isArray(result) ? (result[result.length - 1] as pg.QueryResult) : result;
}

/**
 * The file a path to pg_hba.conf really is: a symbolic link (pg_hba.conf linked from a
 * configuration repository) is followed, so the new rules go into the file it names and the
 * link stays a link.
 */
async function realFile(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}

/**
 * A server reached as a superuser (`--conn`): its `hba_file`, pg_hba_file_rules, pg_reload_conf().
 * Every question goes through this one session, which a reload never ends.
 */
export async function connectionTarget(client: pg.Client, reconnect?: () => Promise<pg.Client>): Promise<HbaTarget> {
  const file = await client.query<{ hba_file: string }>(HBA_FILE_SQL);
  const endpoint = endpointOf(client.host, client.port);
  // node-postgres keeps the password it sent (from the URL, PGPASSWORD or ~/.pgpass, read when the server asked for one).
  const sent = (client as unknown as { password?: unknown }).password;
  return {
    login: { osUser: userInfo().username, sendsPassword: typeof sent === "string" && sent !== "" },
    probeLogin: async () => {
      if (!reconnect) return undefined;
      try {
        await (await reconnect()).end();
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
    hbaFile: await realFile((file.rows[0] as { hba_file: string }).hba_file),
    serverDigest: async () =>
      await client.query<{ digest: string }>(DIGEST_SQL).then(
        (result) => result.rows[0]?.digest,
        () => undefined,
      ),
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
  if (!running)
    throw notFoundError(
      "not-running",
      `no server runs on ${pgdata}: start it, so PostgreSQL can check the new rules before they are loaded`,
    );
  const owner: OsUser = await ownerOf(pgdata);
  const socketDir = running.socketDir ?? "/var/run/postgresql";
  const args = [
    "-X",
    "-q",
    "-A",
    "-t",
    "-v",
    "ON_ERROR_STOP=1",
    "-h",
    socketDir,
    "-p",
    String(running.port),
    "-d",
    "postgres",
    "-U",
    owner.name,
  ];
  const run = (sql: string) =>
    runProgram(join(binDir, "psql"), args, { user: isRoot() ? owner : undefined, input: sql });
  const failed = (stderr: string) =>
    new PgwardenError(
      "psql-failed",
      `cannot ask the server as ${owner.name} over its socket: ${stderr.trim()}`,
      ExitCode.connection,
    );
  const psql = async (sql: string) => {
    const result = await run(sql);
    if (result.code !== 0) throw failed(result.stderr);
    return result.stdout;
  };
  return {
    // psql runs without PG* variables (runProgram) and without a terminal: it sends no password.
    login: { osUser: owner.name, sendsPassword: false, superuserOsUser: owner.name },
    probeLogin: async () => {
      const result = await run("SELECT 1;");
      return result.code === 0 ? undefined : (result.stderr.trim().split("\n")[0] ?? "psql failed");
    },
    reloadSync: () => process.kill(running.pid, "SIGHUP"),
    // Unless told, the server says where its file is (hba_file may point outside PGDATA, as on Debian).
    hbaFile: await realFile(hbaFile ?? ((await psql(`${HBA_FILE_SQL};`)).trim() || join(pgdata, "pg_hba.conf"))),
    serverDigest: async () => {
      const result = await run(`${DIGEST_SQL};`);
      // psql exits 2 when it cannot reach the server at all (with --hba-file this is the first question asked): no verdict on the file.
      if (result.code === 2) throw failed(result.stderr);
      return result.code === 0 ? result.stdout.trim() || undefined : undefined;
    },
    ask: async <T>(sql: string): Promise<Asked<T>> => {
      const result = await run(`${sql};`);
      // psql exits 2 when the connection fails; its message says whether the server refused the login.
      if (result.code === 2 && LOGIN_REFUSED.test(result.stderr))
        return { refused: true, message: result.stderr.trim().split("\n")[0] ?? "" };
      if (result.code !== 0) throw failed(result.stderr);
      return { refused: false, value: JSON.parse(result.stdout) as T };
    },
    barrier: () => postmasterBarrier({ socketPath: join(socketDir, `.s.PGSQL.${running.port}`) }),
    reload: async () => {
      const result = await runProgram(join(binDir, "pg_ctl"), ["reload", "-s", "-D", pgdata], {
        user: isRoot() ? owner : undefined,
      });
      if (result.code !== 0)
        throw new PgwardenError("reload-failed", `pg_ctl reload failed: ${result.stderr.trim()}`, ExitCode.connection);
    },
  };
}

export interface ApplyOptions {
  readonly now: Date;
  /**
   * Install even when the new rules would refuse pgwarden's own connection or the bootstrap
   * superuser's socket login (or pgwarden cannot tell), or when lint finds critical risks, and
   * keep them when a fresh login of pgwarden's is refused after the reload.
   * PostgreSQL's own verdict is never overridden. Default false.
   */
  readonly force?: boolean;
  /** The server's log file, when pgwarden cannot find it (default: the collector's file, else the postmaster's stderr). */
  readonly serverLog?: string;
  /**
   * Called after SIGINT, SIGTERM or SIGHUP came while the new file was in place unconfirmed,
   * once the old file is back (synchronously); the CLI prints `message` and exits. Without it,
   * the apply rejects with an `interrupted` error (exit code 128 + the signal, as the CLI's); and when the program has no handler of its
   * own for the signal, the signal is raised again once the old file is back, so the process
   * ends as it would have without pgwarden.
   */
  readonly onInterrupt?: (signal: NodeJS.Signals, message: string) => void;
  /** Told when a killed apply's file was put back before this one started. */
  readonly onRecovered?: (message: string) => void;
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
  if (explanation.verdict === "unknown")
    return `pgwarden cannot tell whether they let in ${who}: ${explanation.reason}`;
  const first = explanation.first;
  if (!first) return `they refuse ${who}: no line matches it (PostgreSQL answers "no pg_hba.conf entry")`;
  return `they refuse ${who}: line ${first.rule.source.line} (${first.rule.text.trim()}) matches it and ${first.outcome.reason ?? "refuses it"}`;
}

/** The checks of pgwarden's own before anything is written: what would lock the operators out, what lint calls critical. */
function ownChecks(parsed: HbaFile, facts: ApplyFacts, login: OwnLogin): PgwardenError[] {
  const problems: PgwardenError[] = [];
  const blocked = blockedLogins(parsed.rules, facts, login);
  if (blocked.length > 0) {
    const certain = blocked.every((check) => check.explanation.verdict === "refused");
    problems.push(
      new PgwardenError(
        "hba-lockout",
        `the new rules ${certain ? "would" : "may"} lock operators out: ${blocked.map(blockedText).join("; ")}`,
        ExitCode.checkFailed,
      ),
    );
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
  return parseHbaText(text, hbaFile, { majorVersion: Math.floor(facts.versionNum / 10_000) }).catch(
    (error: unknown) => ({
      rules: [],
      errors: [{ source: { file: hbaFile, line: 0 }, message: (error as Error).message }],
    }),
  );
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
export async function applyHba(
  target: HbaTarget,
  text: string,
  optionsOrNow: ApplyOptions | Date,
): Promise<ApplyResult> {
  const options: ApplyOptions = optionsOrNow instanceof Date ? { now: optionsOrNow } : optionsOrNow;
  const info = await stat(target.hbaFile).catch(() => undefined);
  const fileOptions = {
    mode: info ? info.mode & 0o777 : PRIVATE_FILE_MODE,
    owner: info && isRoot() ? { uid: info.uid, gid: info.gid } : undefined,
  };
  // A run killed (kill -9) while its candidate was in place unconfirmed left a journal: its old file goes back first.
  const recovered = await recoverKilledApply(target.hbaFile, fileOptions);
  if (recovered.kind === "untrusted") {
    throw usageError(
      "hba-journal-foreign",
      `${recovered.journal} was not written by this user, so pgwarden will not act on it (a planted journal could copy any file into the rules): look at it, remove it, and run hba apply again`,
    );
  }
  if (recovered.kind === "busy") {
    // Two applies at once would each put back the other's file and lose the other's journal.
    throw new PgwardenError(
      "hba-apply-busy",
      `another hba apply (pid ${recovered.pid}) is installing rules into ${target.hbaFile}: nothing was written; wait for it to finish and run this one again`,
      ExitCode.checkFailed,
    );
  }
  if (recovered.kind === "restored") {
    await target.reload().catch(() => undefined);
    options.onRecovered?.(
      `a killed hba apply had left its unconfirmed rules in ${target.hbaFile}: the file it replaced (kept in ${recovered.backup}) is back in place and reloaded`,
    );
  }
  const old = await readFile(target.hbaFile, "utf8").catch(() => undefined);
  // The server must read the very file written here; on another host (or mount) it would judge, and load, its own.
  const seen = await target.serverDigest();
  if (seen === undefined || old === undefined || seen !== md5Hex(old)) {
    throw new PgwardenError(
      "hba-file-elsewhere",
      `the server's hba_file ${target.hbaFile} is not the file pgwarden finds at that path${old === undefined ? " (there is none here)" : ""}: run pgwarden on the server's own host (or give --hba-file where it really is)`,
      ExitCode.usage,
    );
  }
  if (old === text) return { hbaFile: target.hbaFile, action: "unchanged", reloaded: false, overridden: [] };

  const answer = async <T>(sql: string): Promise<T> => {
    const asked = await target.ask<T>(sql);
    if (asked.refused)
      throw new PgwardenError(
        "login-refused",
        `the server refuses pgwarden's login: ${asked.message}`,
        ExitCode.connection,
      );
    return asked.value;
  };
  const facts = await answer<ApplyFacts>(APPLY_FACTS_SQL);
  const parsed = await parseCandidate(text, target.hbaFile, facts);
  // A file pgwarden's parser (as the server's version) cannot read, or with no rule, never reaches the disk:
  // PostgreSQL would refuse it at reload too, and a restart in between would find a file it cannot load.
  const unread = parsed.errors[0];
  if (unread) {
    const more = parsed.errors.length > 1 ? `, and ${parsed.errors.length - 1} more` : "";
    throw new PgwardenError(
      "hba-invalid",
      `the new rules are invalid (line ${unread.source.line}: ${unread.message}${more}): nothing was written`,
      ExitCode.config,
    );
  }
  if (parsed.rules.length === 0) {
    throw new PgwardenError(
      "hba-empty",
      "the new rules contain no entries (PostgreSQL refuses such a file, and would not start with it): nothing was written",
      ExitCode.config,
    );
  }
  // pg_ident.conf as the server reads it (15+), for lines with map=; without it pgwarden cannot tell what a map does.
  const identMappings = await target.ask<IdentMapping[]>(IDENT_MAPPINGS_SQL).then(
    (asked) => (asked.refused ? undefined : asked.value),
    () => undefined,
  );
  const overridden: string[] = [];
  for (const problem of ownChecks(parsed, facts, { ...target.login, identMappings })) {
    if (!options.force) throw new PgwardenError(problem.code, `${problem.message}: ${FORCE_HINT}`, problem.exitCode);
    overridden.push(problem.message);
  }
  const log = await locateServerLog(await answer<LogFacts>(LOG_FACTS_SQL), options.serverLog);
  if (!log) {
    throw notFoundError(
      "server-log-unreadable",
      `${options.serverLog !== undefined ? `${options.serverLog} is not a file pgwarden can read` : "pgwarden cannot find the server's log on this machine"}, and only the log says whether PostgreSQL loaded new rules: turn logging_collector on, or give --server-log FILE (nothing was written)`,
    );
  }

  // The backup, then the journal a killed run leaves for the next one, then the candidate.
  const backup = backupPath(target.hbaFile, options.now);
  await writeFileAtomic(backup, old, {
    mode: fileOptions.mode,
    owner: info ? { uid: info.uid, gid: info.gid } : undefined,
    exclusive: true,
  });
  let reloadAsked = false;
  // Set by the handler; read through a function, as TypeScript would take a check before an await for one after it.
  const signalled: { error?: PgwardenError } = {};
  const interruption = (): PgwardenError | undefined => signalled.error;
  // Until the apply ends, an interrupt puts the old file back before the process goes.
  const onSignal = (signal: NodeJS.Signals) => {
    restoreSync(target.hbaFile, old, fileOptions);
    let server = "nothing was reloaded";
    if (reloadAsked) {
      try {
        target.reloadSync?.();
        server = target.reloadSync
          ? "the server was asked to reload them"
          : "reload the server, which may have loaded the new ones";
      } catch {
        server = "reload the server, which may have loaded the new ones";
      }
    }
    const message = `interrupted (${signal}): the previous rules are back in ${target.hbaFile}; ${server}`;
    for (const name of SIGNALS) process.off(name, onSignal);
    signalled.error = new PgwardenError("interrupted", message, SIGNAL_EXIT_CODES[signal] ?? ExitCode.interrupted);
    if (options.onInterrupt) options.onInterrupt(signal, message);
    // The program's own handlers were given this signal already; with none, its default (the end) was only held back.
    else if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  // Listening before the journal exists: a signal can never end the process with a journal and no handler run.
  for (const name of SIGNALS) process.on(name, onSignal);
  const restore = () => writeFileAtomic(target.hbaFile, old, fileOptions);
  try {
    await writeJournal({
      pid: process.pid,
      hbaFile: target.hbaFile,
      backup,
      oldDigest: md5Hex(old),
      candidateDigest: md5Hex(text),
    });
    const early = interruption();
    if (early) throw early;
    await writeFileAtomic(target.hbaFile, text, fileOptions);
    const result = await judgeAndLoad({
      target,
      text,
      old,
      parsed,
      options,
      overridden,
      log,
      restore,
      answer,
      backup,
      markReload: () => (reloadAsked = true),
    });
    // The old file went back under the judging's feet: whatever it concluded is about rules no longer there.
    const late = interruption();
    if (late) throw late;
    return result;
  } catch (error) {
    // Every failure after the write leaves the old file (judgeAndLoad restores on its refusals; this covers the rest).
    if ((await readFile(target.hbaFile, "utf8").catch(() => undefined)) === text) await restore();
    throw interruption() ?? error;
  } finally {
    // The journal goes first: a signal between the two still finds its handler, never a journal of a finished apply.
    await removeJournal(target.hbaFile);
    for (const name of SIGNALS) process.off(name, onSignal);
  }
}

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
/** What the command line exits with after each: the shell's 128 + the signal's number. */
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, ExitCodeValue>> = {
  SIGHUP: ExitCode.hungUp,
  SIGINT: ExitCode.interrupted,
  SIGTERM: ExitCode.terminated,
};

interface Judging {
  readonly target: HbaTarget;
  readonly text: string;
  readonly old: string;
  readonly parsed: HbaFile;
  readonly options: ApplyOptions;
  readonly overridden: string[];
  readonly log: NonNullable<Awaited<ReturnType<typeof locateServerLog>>>;
  readonly restore: () => Promise<void>;
  readonly answer: <T>(sql: string) => Promise<T>;
  readonly backup: string;
  readonly markReload: () => void;
}

const LOGIN_BACK_TIMEOUT_MS = 15_000;

/** With the candidate in place: PostgreSQL's verdict, the reload, its log, and pgwarden's own login still let in. */
async function judgeAndLoad({
  target,
  text,
  parsed,
  options,
  overridden,
  log,
  restore,
  answer,
  backup,
  markReload,
}: Judging): Promise<ApplyResult> {
  const refuse = async (error: PgwardenError): Promise<never> => {
    await restore();
    throw error;
  };
  const refusal = fileRefusal(await answer<HbaFileRow[]>(FILE_ROWS_SQL), target.hbaFile);
  if (refusal) {
    const where = refusal.line !== undefined ? `${target.hbaFile} line ${refusal.line}: ` : "";
    const more = refusal.more > 0 ? `, and ${refusal.more} more` : "";
    // Where the view gives no reason, pgwarden's parser may have one for the same line.
    const ours = refusal.silent
      ? parsed.errors.find((error) => error.source.line === refusal.line && error.source.file === target.hbaFile)
      : undefined;
    const reading = ours ? `; pgwarden reads: ${ours.message}` : "";
    await refuse(
      new PgwardenError(
        "hba-rejected",
        `PostgreSQL rejects the new rules (${where}${refusal.message}${reading}${more}): the previous file is back in place, nothing was reloaded`,
        ExitCode.config,
      ),
    );
  }
  if ((await target.serverDigest()) !== md5Hex(text)) {
    await refuse(
      new PgwardenError(
        "hba-file-elsewhere",
        `the server does not read the file pgwarden wrote at ${target.hbaFile}: the previous file is back in place, nothing was reloaded`,
        ExitCode.usage,
      ),
    );
  }

  const loadTimeBefore = await answer<string>(LOAD_TIME_SQL);
  const cursor = await logCursor(log);
  markReload();
  await target.reload();
  const outcome = await confirmReload(target, cursor, loadTimeBefore, options.serverLog);
  if (outcome.kind === "not-loaded") {
    // The server kept its old rules: the old file back on disk is what a restart will load too.
    await refuse(
      new PgwardenError(
        "hba-not-loaded",
        `PostgreSQL did not load the new rules at reload (${outcome.reason}): the previous file is back in place and the server keeps the rules it had`,
        ExitCode.config,
      ),
    );
  }
  if (outcome.kind === "unconfirmed") {
    await restore();
    // Whatever the server did, it reads the old file again.
    const again = await target.reload().then(
      () => "reloaded",
      (error: unknown) => `not reloaded (${(error as Error).message}): reload the server`,
    );
    throw new PgwardenError(
      "hba-unconfirmed",
      `pgwarden cannot confirm that PostgreSQL loaded the new rules: ${outcome.why}; the previous file is back in place and ${again}`,
      ExitCode.config,
    );
  }
  if (!options.force) {
    // The safety net behind the checks: a fresh login made as pgwarden made its own must still get in.
    const refused = await target.probeLogin();
    if (refused !== undefined) {
      await restore();
      await target.reload();
      const deadline = Date.now() + LOGIN_BACK_TIMEOUT_MS;
      let back = await target.probeLogin();
      while (back !== undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        back = await target.probeLogin();
      }
      const state =
        back === undefined
          ? "the old ones are back in place and in force (pgwarden's login works again)"
          : `the old file is back in place and reloaded, but pgwarden's login still fails (${back})`;
      throw new PgwardenError(
        "hba-refuses-pgwarden",
        `the new rules refused pgwarden's own login once loaded (${refused}): ${state}; add --force to install them anyway`,
        ExitCode.checkFailed,
      );
    }
  }
  return {
    hbaFile: target.hbaFile,
    action: "replace",
    backup,
    reloaded: true,
    confirmedBy: outcome.evidence,
    overridden,
  };
}
