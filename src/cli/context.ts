import type { Command } from "commander";

import { notFoundError } from "../core/errors.js";
import { checkPkiDirectory } from "../core/fs/safe-dir.js";
import { readPassphrase } from "../pki/keys/passphrase.js";
import { type PkiLayout, pkiLayout } from "../pki/pki-layout.js";
import { createOutput, type Output } from "./output.js";

/** What every command gets: where the PKI is, how to speak, the environment and clock. */
export interface CommandContext {
  /** The PKI directory, checked the first time a command asks for it ({@link checkedLayout}). */
  readonly layout: PkiLayout;
  /** The PKI directory as given (--pki, PGWARDEN_PKI or ./pki), unchecked: to name its CA in a message. */
  readonly pkiDir: string;
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

/** Commands that make the PKI directory when it is not there; every other one needs it to exist. */
const CREATES_PKI = new Set(["ca init", "sandbox up"]);

/** `noun verb` of a command. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) names.unshift(current.name());
  return names.join(" ");
}

/**
 * The PKI layout of `root`, once the directory passed {@link checkPkiDirectory} (a file is exit 2;
 * world-writable or symlinked out of the PKI is exit 7) and, unless the command makes it, exists
 * (exit 4): one check, in one place, for every command that uses the PKI.
 */
export function checkedLayout(root: string, command: Command): PkiLayout {
  const layout = pkiLayout(root);
  if (checkPkiDirectory(layout.root) === "missing" && !CREATES_PKI.has(commandPath(command))) {
    throw notFoundError(
      "pki-missing",
      `no CA in ${layout.caDir}: ${layout.root} does not exist; run pgwarden ca init --pki ${layout.root}, or point --pki (or PGWARDEN_PKI) at your PKI`,
    );
  }
  return layout;
}

export function contextOf(command: Command): CommandContext {
  const options = command.opts<Partial<GlobalOptions> & { passphraseFile?: string }>();
  const global = programOptions(command);
  let layout: PkiLayout | undefined;
  const output = createOutput(outputFormat(options, global), Boolean(options.quiet ?? global.quiet));
  return {
    // Checked on first use: commands that never touch the PKI (hba, role, password) never judge it.
    get layout() {
      layout ??= checkedLayout(options.pki ?? global.pki, command);
      return layout;
    },
    pkiDir: options.pki ?? global.pki,
    output,
    env: process.env,
    now: new Date(),
    passphrase: () => readPassphrase(options.passphraseFile, process.env, (message) => output.warn(message)),
  };
}
