import { tmpdir } from "node:os";
import { join } from "node:path";

import { type Command, Option } from "commander";

import { chooseSandboxPki, type NamedPki } from "../../../pg/sandbox-pki.js";
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
function namedPki(command: Command): NamedPki {
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
  const choice = await chooseSandboxPki(dir, namedPki(command), options);
  if (choice.use === "named") {
    if (choice.warning !== undefined) ctx.output.warn(choice.warning);
    return ctx.layout;
  }
  if (choice.info !== undefined) ctx.output.info(choice.info);
  return checkedLayout(choice.path, command);
}
