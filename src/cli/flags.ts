import { type Command, Option } from "commander";

import { SEVERITIES } from "../core/finding.js";
import { MAX_VALIDITY_DAYS } from "../pki/issuing/validity.js";
import { integerFlag, type IntegerFlagSpec, integerRangeText, portFlag } from "./number-flags.js";

/* Flags shared by several commands, defined once so their names and help never drift. */

export const sanOption = () =>
  new Option("--san <name>", "a subject alternative name: DNS name or IPv4/IPv6 address (repeatable)")
    .argParser(collect)
    .default([]);

const DAYS: IntegerFlagSpec = { flag: "--days", min: 1, max: MAX_VALIDITY_DAYS, code: "bad-days" };

export const daysOption = (defaultDays: number) =>
  new Option("--days <n>", `validity in days, ${integerRangeText(DAYS)} (default ${defaultDays})`).argParser(
    integerFlag(DAYS),
  );

/** A TCP port (1 to 65535), read as every numeric flag is (number-flags.ts). */
export const portOption = (description: string) => new Option("--port <port>", description).argParser(portFlag());

export const keyTypeOption = () =>
  new Option("--key-type <type>", "ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519");

export const profileOption = () => new Option("--profile <profile>", "server, client or peer").makeOptionMandatory();

export const passphraseFileOption = () =>
  new Option(
    "--passphrase-file <file>",
    "file whose first line is the CA key passphrase (or set PGWARDEN_CA_PASSPHRASE)",
  );

export const insecureOption = () => new Option("--insecure", "accept a CA key that group or others can read");

export const allowWildcardOption = () =>
  new Option("--allow-wildcard", "accept a wildcard SAN such as *.db.example.com");

/** For server and peer certificates, whose CN goes into the SANs unless this is given. */
export const noCnSanOption = () =>
  new Option("--no-cn-san", "leave the CN out of the SANs (for a CN that is a label, not a host name clients dial)");

/** Where `cert issue` and `cert sign` put what they make. */
export const groupOption = () =>
  new Option("--group <name>", "folder under the PKI directory (default: the profile name)");

export const forceOption = () => new Option("--force", "replace an existing key and certificate of the same name");

/** For commands that report findings (hba lint, password audit). */
export const failOnOption = () =>
  new Option("--fail-on <severity>", "exit 1 when a finding is this severe or worse")
    .choices(SEVERITIES)
    .default("high");

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const pkiOption = () => new Option("--pki <dir>", "the PKI directory (env PGWARDEN_PKI, default ./pki)");
export const formatOption = () => new Option("--format <format>", "output format").choices(["text", "json"]);
export const quietOption = () => new Option("--quiet", "no messages on stderr, only data and errors");

/**
 * The global flags, also accepted after a command's name (`pgwarden cert list --pki X`).
 * A command that gives `--format` a meaning of its own keeps it; the program-level
 * `--format` (before the command) still chooses text or JSON output there.
 */
export function addGlobalFlags(command: Command): void {
  const has = (flag: string) => command.options.some((option) => option.long === flag);
  if (!has("--pki")) command.addOption(pkiOption());
  if (!has("--format")) command.addOption(formatOption());
  if (!has("--quiet")) command.addOption(quietOption());
}
