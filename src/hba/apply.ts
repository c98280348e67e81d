import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import { ExitCode, PgwardenError, notFoundError } from "../errors.js";
import { PRIVATE_FILE_MODE, writeFileAtomic } from "../fs/atomic-write.js";
import { writeKeepingBackup } from "../fs/backup.js";
import { isRoot, ownerOf, runProgram, type OsUser } from "../pg/os-user.js";
import { readPostmasterPid } from "../pg/postmaster.js";

/** What applying access rules needs from a server: where its file is, its verdict on a file, a reload. */
export interface HbaTarget {
  readonly hbaFile: string;
  /** Errors PostgreSQL finds in the file on disk now (pg_hba_file_rules reads the file, not the loaded rules). */
  fileErrors(): Promise<{ line: number; error: string }[]>;
  /**
   * MD5 of the file as the server reads it at its hba_file, or undefined when it cannot read
   * it: what proves that the file pgwarden writes is the one the server judges and loads.
   * Throws when the server cannot be asked at all.
   */
  serverDigest(): Promise<string | undefined>;
  reload(): Promise<void>;
}

const ERRORS_SQL = "SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL ORDER BY line_number";
const DIGEST_SQL = "SELECT md5(pg_catalog.pg_read_file(current_setting('hba_file'))) AS digest";
const HBA_FILE_SQL = "SELECT current_setting('hba_file') AS hba_file";

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

/** A server reached as a superuser (`--conn`): its `hba_file`, pg_hba_file_rules, pg_reload_conf(). */
export async function connectionTarget(client: pg.Client): Promise<HbaTarget> {
  const file = await client.query<{ hba_file: string }>(HBA_FILE_SQL);
  return {
    hbaFile: (file.rows[0] as { hba_file: string }).hba_file,
    fileErrors: async () => (await client.query<{ line_number: number; error: string }>(ERRORS_SQL)).rows.map((row) => ({ line: row.line_number, error: row.error })),
    serverDigest: async () => (await client.query<{ digest: string }>(DIGEST_SQL).then((result) => result.rows[0]?.digest, () => undefined)),
    reload: async () => void (await client.query("SELECT pg_reload_conf()")),
  };
}

/**
 * A cluster on this machine (`--pgdata`): psql over its socket as the data directory's
 * owner (peer), pg_ctl reload. The server must be running: only it can judge the file.
 */
export async function pgdataTarget(pgdata: string, binDir: string, hbaFile?: string): Promise<HbaTarget> {
  const running = await readPostmasterPid(pgdata);
  if (!running) throw notFoundError("not-running", `no server runs on ${pgdata}: start it, so PostgreSQL can check the new rules before they are loaded`);
  const owner: OsUser = await ownerOf(pgdata);
  const args = ["-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", running.socketDir ?? "/var/run/postgresql", "-p", String(running.port), "-d", "postgres", "-U", owner.name];
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
    fileErrors: async () =>
      (await psql(`${ERRORS_SQL};`))
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => {
          const [number = "0", ...error] = line.split("\t");
          return { line: Number(number), error: error.join("\t") };
        }),
    reload: async () => {
      const result = await runProgram(join(binDir, "pg_ctl"), ["reload", "-s", "-D", pgdata], { user: isRoot() ? owner : undefined });
      if (result.code !== 0) throw new PgwardenError("reload-failed", `pg_ctl reload failed: ${result.stderr.trim()}`, ExitCode.connection);
    },
  };
}

export interface ApplyResult {
  readonly hbaFile: string;
  readonly action: "create" | "replace" | "unchanged";
  readonly backup?: string;
  readonly reloaded: boolean;
}

/**
 * Installs new access rules: the old file is backed up, the new one written atomically with
 * the old one's owner and mode, PostgreSQL is asked for its verdict on the file before it is
 * loaded, and any error puts the old file back and fails with PostgreSQL's message.
 */
export async function applyHba(target: HbaTarget, text: string, now: Date): Promise<ApplyResult> {
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
  if (old === text) return { hbaFile: target.hbaFile, action: "unchanged", reloaded: false };
  const info = await stat(target.hbaFile).catch(() => undefined);
  const options = { mode: info ? info.mode & 0o777 : PRIVATE_FILE_MODE, owner: info && isRoot() ? { uid: info.uid, gid: info.gid } : undefined };
  const written = await writeKeepingBackup(target.hbaFile, text, options, now);
  const restore = () => writeFileAtomic(target.hbaFile, old, options);
  /** What `asked` resolves to; if it fails, the old file is put back first. */
  const restoringOnFailure = <T>(asked: Promise<T>) =>
    asked.catch(async (error: unknown) => {
      await restore();
      throw error;
    });
  const errors = await restoringOnFailure(target.fileErrors());
  if (errors.length > 0) {
    await restore();
    const [first] = errors;
    throw new PgwardenError(
      "hba-rejected",
      `PostgreSQL rejects the new rules (${target.hbaFile} line ${first?.line}: ${first?.error}${errors.length > 1 ? `, and ${errors.length - 1} more` : ""}): the previous file is back in place, nothing was reloaded`,
      ExitCode.config,
    );
  }
  if ((await restoringOnFailure(target.serverDigest())) !== md5(text)) {
    await restore();
    throw new PgwardenError("hba-file-elsewhere", `the server does not read the file pgwarden wrote at ${target.hbaFile}: the previous file is back in place, nothing was reloaded`, ExitCode.usage);
  }
  await target.reload();
  return { hbaFile: target.hbaFile, action: written.action, backup: written.backup, reloaded: true };
}
