import { existsSync } from "node:fs";

import { Command, Option } from "commander";

import { usageError } from "../../../core/errors.js";
import { initCa, unencryptedCaKeyWarning } from "../../../pki/authority/ca-init.js";
import { createIntermediate, type CreateIntermediateResult } from "../../../pki/authority/intermediate-create.js";
import { DEFAULT_INTERMEDIATES, issuerFiles } from "../../../pki/authority/issuers.js";
import { describeCertificate } from "../../../pki/inspect/certificate-info.js";
import { DEFAULT_ROOT_VALIDITY_DAYS } from "../../../pki/issuing/validity.js";
import { parseKeyType } from "../../../pki/keys/key-type.js";
import { PASSPHRASE_ENV } from "../../../pki/keys/passphrase.js";
import { type CommandContext, contextOf } from "../../context.js";
import { daysOption, insecureOption, keyTypeOption, passphraseFileOption } from "../../flags.js";
import { describe } from "../../help.js";
import { canPrompt, promptNewPassphrase } from "../../passphrase-prompt.js";
import { certificateText } from "../../render.js";
import { intermediateJson, reportIntermediate } from "./intermediate.js";

interface Options {
  keyType?: string;
  cn?: string;
  org?: string;
  ou?: string;
  days?: number;
  noCreate?: boolean;
  create: boolean;
  insecure?: boolean;
  /** False with --no-passphrase. */
  passphrase: boolean;
  passphraseFile?: string;
  intermediates?: boolean;
}

export function caInitCommand(): Command {
  const command = new Command("init")
    .addOption(keyTypeOption())
    .addOption(
      new Option(
        "--cn <name>",
        "common name of a new root (default: pgwarden-ca, or the name ca.key's certificates carry)",
      ),
    )
    .addOption(new Option("--org <name>", "organization (O) of a new root"))
    .addOption(new Option("--ou <name>", "organizational unit (OU) of a new root"))
    .addOption(daysOption(DEFAULT_ROOT_VALIDITY_DAYS))
    .addOption(passphraseFileOption())
    .addOption(
      new Option(
        "--no-passphrase",
        "write a new CA key unencrypted, without asking for a passphrase on a terminal or warning (scripts, throwaway CAs)",
      ),
    )
    .addOption(
      new Option("--no-create", "fail when there is no CA instead of creating one; never writes a CA certificate"),
    )
    .addOption(insecureOption())
    .addOption(
      new Option(
        "--intermediates",
        `also create the intermediates ${DEFAULT_INTERMEDIATES.join(" and ")} (as ca intermediate create; those already there are kept)`,
      ),
    )
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const passphrase = await newKeyPassphrase(ctx, options);
      const result = await initCa(ctx.layout, {
        keyType: options.keyType === undefined ? undefined : parseKeyType(options.keyType),
        subject: { commonName: options.cn, organization: options.org, organizationalUnit: options.ou },
        days: options.days,
        passphrase,
        noCreate: !options.create,
        insecure: options.insecure ?? false,
        now: ctx.now,
      });
      result.warnings.forEach((warning) => ctx.output.warn(warning));
      const intermediates = options.intermediates ? await createDefaultIntermediates(ctx, passphrase, options) : [];
      // Said last (after "created"), unless asked to write it so with --no-passphrase.
      const unencrypted = result.action === "created" && !result.keyEncrypted && options.passphrase;
      const info = describeCertificate(result.ca.der, ctx.now);
      if (ctx.output.format === "json") {
        if (unencrypted) ctx.output.warn(unencryptedCaKeyWarning(result.ca.keyPath));
        ctx.output.json({
          action: result.action,
          certPath: result.ca.certPath,
          keyPath: result.ca.keyPath,
          keyEncrypted: result.keyEncrypted,
          certificate: info,
          ...(result.restoredFrom ? { restoredFrom: result.restoredFrom } : {}),
          ...(options.intermediates ? { intermediates: intermediates.map((made) => intermediateJson(ctx, made)) } : {}),
        });
        return;
      }
      const verb = {
        created: "created a new CA",
        reissued: "signed a new ca.crt for the existing ca.key",
        adopted: "adopted the existing CA",
      }[result.action];
      ctx.output.info(`pgwarden: ${verb} in ${ctx.layout.caDir}${result.keyEncrypted ? " (key encrypted)" : ""}`);
      intermediates.forEach((made) => reportIntermediate(ctx, made));
      if (unencrypted) ctx.output.warn(unencryptedCaKeyWarning(result.ca.keyPath));
      ctx.output.data(certificateText(info, result.ca.certPath));
    });
  return describe(command, {
    description: `Create the root CA in <pki>/ca/, or adopt the one that is there.
With ca.key and no ca.crt, a new ca.crt is signed from that key (as Pigsty does). If certificates
under <pki> were already signed by that key (Pigsty's files/pki/<group>/*.crt), the new ca.crt takes
their issuer's name byte for byte, so they keep verifying; --cn/--org/--ou naming another issuer is
refused (exit 7) with the flags that would restore the chain. With --no-create nothing is written:
a missing ca.crt is an error (exit 4), never a new CA.
With both files, they are checked to be a pair and to be a usable root; refused (exit 7): expired or
not yet valid, not self-signed (an intermediate), no CA:TRUE, keyUsage without keyCertSign, a key
pgwarden cannot sign with or RSA below 2048 bits. Warned: no keyUsage or basicConstraints not
critical (libpq accepts its certificates, openssl verify -x509_strict does not), name constraints.
To replace a refused or warned root but keep its name, move it to ca/old-ca.crt and run ca init.
A ca.crt without its ca.key is an error, never a fresh key that does not match.
The key is 0600 from birth, encrypted (PKCS#8, AES-256) with the passphrase of --passphrase-file or
PGWARDEN_CA_PASSPHRASE; without either, on a terminal, ca init asks for one twice without echo (empty: none).
A new key written unencrypted gets a warning on stderr with the openssl command that encrypts it in place;
--no-passphrase writes it unencrypted without asking or warning.
--intermediates also creates the intermediates "server" and "client" (ca intermediate create --help),
their keys encrypted with the same passphrase; one already there is kept. With them, cert issue signs each
profile with its own issuer, and pg tls makes the server accept client certificates of "client" only.`,
    examples: [
      "pgwarden ca init --pki ./pki",
      "pgwarden ca init --intermediates --passphrase-file ~/.pgwarden-ca-pass   # root + server and client intermediates",
      "pgwarden ca init --key-type rsa-4096 --org pigsty --ou ca --cn pigsty-ca",
      "pgwarden ca init --passphrase-file ~/.pgwarden-ca-pass",
      "pgwarden ca init --pki /tmp/throwaway-pki --no-passphrase",
      "pgwarden ca init --pki files/pki --no-create",
      "pgwarden ca init --pki files/pki   # only ca.key left: ca.crt re-made as O=pigsty, OU=ca, CN=pigsty-ca from the certificates it signed",
    ],
  });
}

/**
 * The passphrase for ca init: from --passphrase-file or PGWARDEN_CA_PASSPHRASE; else, when a new key
 * is to be made and a person is at the terminal, asked for (step's way); else none. --no-passphrase
 * with a passphrase given is a contradiction (exit 2).
 */
async function newKeyPassphrase(ctx: CommandContext, options: Options): Promise<string | undefined> {
  if (!options.passphrase) {
    if (options.passphraseFile !== undefined || ctx.env[PASSPHRASE_ENV] !== undefined) {
      throw usageError(
        "passphrase-conflict",
        `--no-passphrase and a passphrase (--passphrase-file or ${PASSPHRASE_ENV}) were both given: keep one`,
      );
    }
    return undefined;
  }
  const given = await ctx.passphrase();
  if (given !== undefined || !options.create || existsSync(ctx.layout.caKey) || !canPrompt()) return given;
  return promptNewPassphrase("the new CA key");
}

/** `--intermediates`: the default intermediates that are not there yet, under the root just made or adopted. */
async function createDefaultIntermediates(
  ctx: CommandContext,
  passphrase: string | undefined,
  options: Options,
): Promise<CreateIntermediateResult[]> {
  const made: CreateIntermediateResult[] = [];
  for (const name of DEFAULT_INTERMEDIATES) {
    if (existsSync(issuerFiles(ctx.layout, name).certPath)) {
      ctx.output.info(`pgwarden: kept the intermediate "${name}" already in ${ctx.layout.caDir}`);
      continue;
    }
    made.push(
      await createIntermediate(ctx.layout, {
        name,
        passphrase,
        insecure: options.insecure ?? false,
        now: ctx.now,
        onWarning: (message) => ctx.output.warn(message),
      }),
    );
  }
  return made;
}
