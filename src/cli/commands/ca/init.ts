import { Command, Option } from "commander";
import { initCa } from "../../../pki/ca-init.js";
import { describeCertificate } from "../../../pki/certificate-info.js";
import { parseKeyType } from "../../../pki/key-type.js";
import { DEFAULT_ROOT_VALIDITY_DAYS, parseDays } from "../../../pki/validity.js";
import { contextOf } from "../../context.js";
import { daysOption, insecureOption, keyTypeOption, passphraseFileOption } from "../../flags.js";
import { describe } from "../../help.js";
import { certificateText } from "../../render.js";

interface Options {
  keyType?: string;
  cn?: string;
  org?: string;
  ou?: string;
  days?: string;
  noCreate?: boolean;
  create: boolean;
  insecure?: boolean;
}

export function caInitCommand(): Command {
  const command = new Command("init")
    .addOption(keyTypeOption())
    .addOption(new Option("--cn <name>", "common name of a new root (default: pgwarden-ca, or the name ca.key's certificates carry)"))
    .addOption(new Option("--org <name>", "organization (O) of a new root"))
    .addOption(new Option("--ou <name>", "organizational unit (OU) of a new root"))
    .addOption(daysOption(DEFAULT_ROOT_VALIDITY_DAYS))
    .addOption(passphraseFileOption())
    .addOption(new Option("--no-create", "fail when there is no CA instead of creating one; never writes a CA certificate"))
    .addOption(insecureOption())
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const result = await initCa(ctx.layout, {
        keyType: options.keyType === undefined ? undefined : parseKeyType(options.keyType),
        subject: { commonName: options.cn, organization: options.org, organizationalUnit: options.ou },
        days: options.days === undefined ? undefined : parseDays(options.days),
        passphrase: await ctx.passphrase(),
        noCreate: !options.create,
        insecure: options.insecure ?? false,
        now: ctx.now,
      });
      result.warnings.forEach((warning) => ctx.output.warn(warning));
      const info = describeCertificate(result.ca.der, ctx.now);
      if (ctx.output.format === "json") {
        ctx.output.json({
          action: result.action,
          certPath: result.ca.certPath,
          keyPath: result.ca.keyPath,
          keyEncrypted: result.keyEncrypted,
          certificate: info,
          ...(result.restoredFrom ? { restoredFrom: result.restoredFrom } : {}),
        });
        return;
      }
      const verb = { created: "created a new CA", reissued: "signed a new ca.crt for the existing ca.key", adopted: "adopted the existing CA" }[result.action];
      ctx.output.info(`pgwarden: ${verb} in ${ctx.layout.caDir}${result.keyEncrypted ? " (key encrypted)" : ""}`);
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
The key is 0600 from birth, optionally encrypted (PKCS#8, AES-256) with --passphrase-file.`,
    examples: [
      "pgwarden ca init --pki ./pki",
      "pgwarden ca init --key-type rsa-4096 --org pigsty --ou ca --cn pigsty-ca",
      "pgwarden ca init --passphrase-file ~/.pgwarden-ca-pass",
      "pgwarden ca init --pki files/pki --no-create",
      "pgwarden ca init --pki files/pki   # only ca.key left: ca.crt re-made as O=pigsty, OU=ca, CN=pigsty-ca from the certificates it signed",
    ],
  });
}
