import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { emptyHome } from "./empty-home.js";

/** The repository root (this file runs from dist/test/support/). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const PGWARDEN_BIN = join(REPO_ROOT, "bin", "pgwarden.js");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Written to the child's stdin, which is then closed; without it stdin is a pipe left open. */
  readonly input?: string | Buffer;
}

/** Runs the real `pgwarden` binary in a child process (as a user would), never through a shell. */
export function pgwarden(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      HOME: emptyHome(),
      PGWARDEN_DEBUG: undefined,
      PGWARDEN_CA_PASSPHRASE: undefined,
      PGWARDEN_PKI: undefined,
      ...options.env,
    };
    const child = execFile(
      process.execPath,
      [PGWARDEN_BIN, ...args],
      {
        env: env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) {
      // A child that exits without reading all of it (--help, a refused flag) closes the pipe: its result says what happened.
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(options.input);
    }
  });
}

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(prefix = "pgwarden-test-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every path under `dir` with its mode and size: what a failed command must leave unchanged. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true }).catch(() => [])) {
      const path = join(current, entry.name);
      const info = await stat(path);
      result.set(
        relative(dir, path),
        `${entry.isDirectory() ? "d" : "f"} ${(info.mode & 0o7777).toString(8)} ${entry.isDirectory() ? "" : info.size}`,
      );
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return result;
}

/**
 * `result` with each `--format json` error object on stderr written as the text form's line
 * (`pgwarden: error: <message>`), for tests that run with --format json but check the message's words.
 */
export function withTextErrors(result: CliResult): CliResult {
  const stderr = result.stderr
    .split("\n")
    .map((line) => {
      if (!line.startsWith('{"error":')) return line;
      const { error } = JSON.parse(line) as { error: { message: string } };
      return `pgwarden: error: ${error.message}`;
    })
    .join("\n");
  return { ...result, stderr };
}

/** `pgwarden cert issue` of one pair through the CLI, which must succeed: where its key and certificate are. */
export async function issueWithCli(
  pki: string,
  profile: "server" | "client" | "peer",
  cn: string,
  sans: readonly string[] = [],
): Promise<{ certPath: string; keyPath: string }> {
  const args = ["--format", "json", "cert", "issue", "--pki", pki, "--profile", profile, "--cn", cn];
  const result = await pgwarden([...args, ...sans.flatMap((san) => ["--san", san])]);
  if (result.code !== 0) throw new Error(`pgwarden ${args.join(" ")}: exit ${result.code}: ${result.stderr}`);
  const [issued] = (JSON.parse(result.stdout) as { issued: { certPath: string; keyPath: string }[] }).issued;
  if (!issued) throw new Error(`pgwarden ${args.join(" ")} issued nothing: ${result.stdout}`);
  return issued;
}
