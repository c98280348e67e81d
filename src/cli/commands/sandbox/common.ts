import { realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { type Command, Option } from "commander";

import { notFoundError, usageError } from "../../../core/errors.js";
import { recordedSandboxPki, requireState, SANDBOX_STATE_FILE } from "../../../pg/sandbox.js";
import type { PkiLayout } from "../../../pki/pki-layout.js";
import { checkedLayout, type CommandContext } from "../../context.js";

/** Default sandbox directory: under the temp dir, which PostgreSQL's account can always enter. */
export function defaultSandboxDir(env: NodeJS.ProcessEnv): string {
  return env.PGWARDEN_SANDBOX_DIR ?? join(tmpdir(), "pgwarden-sandbox");
}

export const sandboxDirOption = () =>
  new Option("--dir <dir>", "the sandbox's directory (env PGWARDEN_SANDBOX_DIR, default $TMPDIR/pgwarden-sandbox)");

/** What sandbox status/up say in --help about the PKI they use. */
export const SANDBOX_PKI_HELP = `Once a sandbox exists, its PKI is the one sandbox up recorded in its sandbox.json, so no --pki is
needed from any directory; PGWARDEN_PKI naming another is set aside (with a note), and a --pki flag naming another
is refused (exit 2) while the recorded one exists.`;

/** The PKI the person named for this command: a --pki flag (before or after the verb), else PGWARDEN_PKI, else ./pki. */
function namedPki(command: Command): { path: string; source: "flag" | "env" | "default" } {
  const own = command.opts<{ pki?: string }>().pki;
  if (own !== undefined) return { path: own, source: "flag" };
  let root = command;
  while (root.parent) root = root.parent;
  const source = root.getOptionValueSource("pki");
  return {
    path: root.opts<{ pki: string }>().pki,
    source: source === "cli" ? "flag" : source === "env" ? "env" : "default",
  };
}

/** Whether two paths name one directory (a link to it, or the same path written otherwise). */
function sameDirectory(a: string, b: string): boolean {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
}

/**
 * The PKI of the sandbox in `dir`: the one `sandbox up` recorded in its sandbox.json, so that status
 * and up work from any directory without --pki (as a quickstart's sandbox, whose PKI is beside it).
 * A --pki flag naming another PKI is refused while the recorded one exists (as up refuses another
 * --port): verifying against, or issuing from, another CA would tell a wrong story. PGWARDEN_PKI
 * naming another is set aside with a note, since it may be left from other work. No sandbox in
 * `dir` yet, or a sandbox.json not to be believed (recordedSandboxPki): the PKI named as usual;
 * `sandboxRequired` (status): with none named, no sandbox is exit 4 before ./pki is looked at.
 */
export async function sandboxLayout(
  command: Command,
  ctx: CommandContext,
  dir: string,
  options: { sandboxRequired?: boolean } = {},
): Promise<PkiLayout> {
  const recorded = await recordedSandboxPki(dir);
  const named = namedPki(command);
  if (recorded === undefined) {
    // A PKI named on purpose is judged first, as by every command; with none named, "no sandbox" is the news (and ./pki beside the point).
    if (options.sandboxRequired && named.source === "default") await requireState(dir);
    return ctx.layout;
  }
  const stateFile = join(resolve(dir), SANDBOX_STATE_FILE);
  if ("untrusted" in recorded) {
    ctx.output.warn(
      `not using the PKI named in ${stateFile}: ${recorded.untrusted}; using ${resolve(named.path)} instead`,
    );
    return ctx.layout;
  }
  if (sameDirectory(named.path, recorded.pki)) return ctx.layout;
  const exists = (() => {
    try {
      realpathSync(recorded.pki);
      return true;
    } catch {
      return false;
    }
  })();
  if (!exists) {
    if (named.source === "flag") return ctx.layout;
    throw notFoundError(
      "sandbox-pki-missing",
      `the sandbox in ${resolve(dir)} was set up with the PKI ${recorded.pki} (recorded in ${stateFile}), which no longer exists: ` +
        "put it back, or give --pki where it is now",
    );
  }
  if (named.source === "flag") {
    throw usageError(
      "sandbox-pki-mismatch",
      `--pki ${resolve(named.path)} is not the PKI of the sandbox in ${resolve(dir)}, which sandbox up recorded as ${recorded.pki} in ${stateFile}: ` +
        "leave out --pki (the recorded one is used), or use another --dir for a sandbox of that PKI",
    );
  }
  if (named.source === "env") {
    ctx.output.info(
      `pgwarden: using the PKI ${recorded.pki} that sandbox up recorded for ${resolve(dir)}, not PGWARDEN_PKI=${named.path}`,
    );
  }
  return checkedLayout(recorded.pki, command);
}
