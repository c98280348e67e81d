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

/** The root program's own options (given before the command's name). */
function programOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

/** Output format: the command's `--format` when it means text or json, else the program's. */
function outputFormat(local: Partial<Record<string, unknown>>, global: GlobalOptions): "text" | "json" {
  return local.format === "json" || local.format === "text" ? local.format : global.format;
}

export function contextOf(command: Command): CommandContext {
  const options = command.opts<Partial<GlobalOptions> & { passphraseFile?: string }>();
  const global = programOptions(command);
  return {
    layout: pkiLayout(options.pki ?? global.pki),
    output: createOutput(outputFormat(options, global), Boolean(options.quiet ?? global.quiet)),
    env: process.env,
    now: new Date(),
    passphrase: () => readPassphrase(options.passphraseFile, process.env),
  };
}
