import { Command, Option } from "commander";

import { createIntermediate, type CreateIntermediateResult } from "../../../pki/authority/intermediate-create.js";
import { describeCertificate } from "../../../pki/inspect/certificate-info.js";
import { DEFAULT_INTERMEDIATE_VALIDITY_DAYS } from "../../../pki/issuing/validity.js";
import { parseKeyType } from "../../../pki/keys/key-type.js";
import { type CommandContext, contextOf } from "../../context.js";
import { daysOption, insecureOption, keyTypeOption, passphraseFileOption } from "../../flags.js";
import { describe } from "../../help.js";
import { certificateText } from "../../render.js";

interface CreateOptions {
  name: string;
  days?: number;
  keyType?: string;
  permitDns: string[];
  permitIp: string[];
  force?: boolean;
  insecure?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Prints what `ca intermediate create` (or `ca init --intermediates`) made. */
export function reportIntermediate(ctx: CommandContext, result: CreateIntermediateResult): void {
  result.warnings.forEach((warning) => ctx.output.warn(warning));
  result.backups.forEach((backup) => ctx.output.info(`pgwarden: kept the old file as ${backup}`));
  ctx.output.info(
    `pgwarden: created the intermediate "${result.name}" in ${ctx.layout.caDir}${result.keyEncrypted ? " (key encrypted)" : ""}; ` +
      `servers trust its client certificates through ${result.anchorPath}`,
  );
}

/** The JSON of one intermediate made. */
export function intermediateJson(ctx: CommandContext, result: CreateIntermediateResult) {
  return {
    name: result.name,
    certPath: result.certPath,
    keyPath: result.keyPath,
    anchorPath: result.anchorPath,
    keyEncrypted: result.keyEncrypted,
    permitted: result.permitted,
    backups: result.backups,
    certificate: describeCertificate(result.der, ctx.now),
  };
}

function createCommand(): Command {
  const command = new Command("create")
    .addOption(
      new Option("--name <name>", "the issuer's name: server, client, or another (a-z, 0-9, -)").makeOptionMandatory(),
    )
    .addOption(daysOption(DEFAULT_INTERMEDIATE_VALIDITY_DAYS))
    .addOption(keyTypeOption())
    .addOption(
      new Option(
        "--permit-dns <name>",
        "name constraint: sign only this DNS name and its subdomains (.name: subdomains only; repeatable)",
      )
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option(
        "--permit-ip <cidr>",
        "name constraint: sign only addresses in this block, e.g. 10.0.0.0/8 (repeatable)",
      )
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option(
        "--force",
        "replace an existing intermediate of this name; its old key, certificate and anchor are kept as .bak",
      ),
    )
    .addOption(passphraseFileOption())
    .addOption(insecureOption())
    .action(async (options: CreateOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const result = await createIntermediate(ctx.layout, {
        name: options.name,
        days: options.days,
        keyType: options.keyType === undefined ? undefined : parseKeyType(options.keyType),
        permitDns: options.permitDns,
        permitIp: options.permitIp,
        // Read only now: a bad name or flag never asks for the passphrase.
        passphrase: await ctx.passphrase(),
        insecure: options.insecure ?? false,
        force: options.force ?? false,
        now: ctx.now,
        onWarning: (message) => ctx.output.warn(message),
      });
      if (ctx.output.format === "json") {
        result.warnings.forEach((warning) => ctx.output.warn(warning));
        ctx.output.json(intermediateJson(ctx, result));
        return;
      }
      reportIntermediate(ctx, result);
      ctx.output.data(certificateText(describeCertificate(result.der, ctx.now), result.certPath));
    });
  return describe(command, {
    description: `Create an issuing CA signed by the root: ca/<name>-ca.key (0600 from birth) and ca/<name>-ca.crt,
with basicConstraints CA:TRUE pathlen:0 and keyUsage keyCertSign, cRLSign (both critical), its subject key
identifier and the root's as authority key identifier, and with --permit-dns/--permit-ip a critical
nameConstraints extension. It is valid for --days (default 5 years) but never beyond the root (cut back,
with a warning). Its key is encrypted with the root's passphrase (--passphrase-file or PGWARDEN_CA_PASSPHRASE)
when the root's key is encrypted, and unencrypted when the root's is not. Also written: ca/<name>-ca.anchor.crt,
the same subject and key self-signed, which pg tls and sandbox up install as ssl_ca_file for the "client"
issuer so that the server accepts for cert logins the certificates of that issuer only (see the README).
Once "server" and "client" exist, cert issue and cert sign use the one named as the profile. An existing
intermediate of that name is refused (exit 2) unless --force, which keeps the old files as .bak.`,
    examples: [
      "pgwarden ca intermediate create --name client",
      "pgwarden ca intermediate create --name server --permit-dns .db.example.com --permit-ip 10.10.0.0/16",
      "pgwarden ca intermediate create --name client --days 730 --passphrase-file ~/.pgwarden-ca-pass",
      "pgwarden ca intermediate create --name client --force   # a new client issuer; the old files kept as .bak",
    ],
    exitNotes: ["2   the intermediate exists (pass --force), or a bad --name, --permit-dns or --permit-ip"],
  });
}

/** `pgwarden ca intermediate create`: the verb group of intermediates. */
export function caIntermediateCommand(): Command {
  return new Command("intermediate")
    .summary("issuing CAs under the root (server, client)")
    .description("Issuing CAs signed by the root, which sign the leaves of their profile.")
    .addCommand(createCommand());
}
