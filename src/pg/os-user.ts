import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { userInfo } from "node:os";

import { ExitCode, PgwardenError } from "../core/errors.js";

/** An OS account: PostgreSQL's server programs run as the owner of the data directory. */
export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

export function currentUser(): OsUser {
  const me = userInfo();
  return { name: me.username, uid: me.uid, gid: me.gid };
}

export interface ProgramResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Run as this user (through `runuser`, so only when pgwarden is root and the user is someone else). */
  readonly user?: OsUser;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
  readonly cwd?: string;
}

/**
 * Runs a program without a shell and collects its output; a non-zero exit is a result,
 * not an exception. Inherited `PG*` variables are dropped so a caller's shell cannot
 * redirect a server program to another cluster.
 */
export function runProgram(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProgramResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.startsWith("PG")) env[key] = value;
  Object.assign(env, options.env);
  const asOther = options.user !== undefined && isRoot() && options.user.uid !== 0;
  const [file, argv] = asOther ? ["runuser", ["-u", options.user.name, "--", command, ...args]] : [command, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.stdin.on("error", () => undefined);
    child.on("error", (error) =>
      reject(new PgwardenError("program-not-found", `cannot run ${command}: ${error.message}`, ExitCode.notFound)),
    );
    child.on("close", (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.end(options.input ?? "");
  });
}

/** Looks up an account by name (`id`), for running server programs as `postgres` when root. */
export async function lookupUser(name: string): Promise<OsUser> {
  const [uid, gid] = await Promise.all([runProgram("id", ["-u", name]), runProgram("id", ["-g", name])]);
  if (uid.code !== 0 || gid.code !== 0) {
    throw new PgwardenError(
      "no-such-user",
      `the OS user "${name}" does not exist: install the PostgreSQL server package (it creates it) or run pgwarden as the user who owns the cluster`,
      ExitCode.notFound,
    );
  }
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The account that runs a cluster: `postgres` when pgwarden is root (initdb refuses root), else the current user. */
export async function serverUser(): Promise<OsUser> {
  return isRoot() ? lookupUser("postgres") : currentUser();
}

/** The owner of a path, by uid (name looked up through `id -nu`). */
export async function ownerOf(path: string): Promise<OsUser> {
  const info = await stat(path);
  const name = await runProgram("id", ["-nu", String(info.uid)]);
  return { name: name.code === 0 ? name.stdout.trim() : String(info.uid), uid: info.uid, gid: info.gid };
}
