import type { Command } from "commander";
import { pkiLayout, type PkiLayout } from "../pki/pki-layout.js";
import { readPassphrase } from "../pki/passphrase.js";
import { createOutput, type Output } from "./output.js";

/** What every command gets: where the PKI is, how to speak, the environment and clock. */
export interface CommandContext {
  readonly layout: PkiLayout;
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly now: Date;
  /** The CA passphrase from --passphrase-file or PGWARDEN_CA_PASSPHRASE (read on demand). */
  passphrase(): Promise<string | undefined>;
}

interface GlobalOptions {
  pki: string;
  format: "text" | "json";
  quiet?: boolean;
  passphraseFile?: string;
}

/** The root program's own options: a subcommand may define a flag of the same name (export's --format). */
function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

export function contextOf(command: Command): CommandContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const global = globalOptions(command);
  return {
    layout: pkiLayout(global.pki),
    output: createOutput(global.format, global.quiet ?? false),
    env: process.env,
    now: new Date(),
    passphrase: () => readPassphrase(options.passphraseFile, process.env),
  };
}
