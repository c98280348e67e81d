import { tmpdir } from "node:os";
import { join } from "node:path";
import { Option } from "commander";

/** Default sandbox directory: under the temp dir, which PostgreSQL's account can always enter. */
export function defaultSandboxDir(env: NodeJS.ProcessEnv): string {
  return env.PGWARDEN_SANDBOX_DIR ?? join(tmpdir(), "pgwarden-sandbox");
}

export const sandboxDirOption = () => new Option("--dir <dir>", "the sandbox's directory (env PGWARDEN_SANDBOX_DIR, default $TMPDIR/pgwarden-sandbox)");
