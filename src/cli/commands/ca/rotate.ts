import { existsSync } from "node:fs";

import { Command } from "commander";

import { rotateCa } from "../../../pki/authority/ca-rotate.js";
import { rotateIntermediate } from "../../../pki/authority/intermediate-rotate.js";
import { combinedCrlPath } from "../../../pki/authority/issuers.js";
import { describeCertificate } from "../../../pki/inspect/certificate-info.js";
import { DEFAULT_INTERMEDIATE_VALIDITY_DAYS, DEFAULT_ROOT_VALIDITY_DAYS } from "../../../pki/issuing/validity.js";
import { parseKeyType } from "../../../pki/keys/key-type.js";
import { writeCrls } from "../../../pki/revocation/crl-writer.js";
import { contextOf } from "../../context.js";
import { daysOption, insecureOption, keyTypeOption, passphraseFileOption } from "../../flags.js";
import { describe } from "../../help.js";
import { certificateText } from "../../render.js";

interface Options {
  intermediate?: string;
  keyType?: string;
  days?: number;
  insecure?: boolean;
  passphraseFile?: string;
}

export function caRotateCommand(): Command {
  const command = new Command("rotate")
    .option("--intermediate <name>", "rotate this intermediate (e.g. client, server) instead of the root")
    .addOption(keyTypeOption())
    .addOption(daysOption(DEFAULT_ROOT_VALIDITY_DAYS))
    .addOption(passphraseFileOption())
    .addOption(insecureOption())
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const rotateOptions = {
        passphrase: await ctx.passphrase(),
        insecure: options.insecure ?? false,
        keyType: options.keyType === undefined ? undefined : parseKeyType(options.keyType),
        days: options.days,
        now: ctx.now,
      };
      const result =
        options.intermediate === undefined
          ? await rotateCa(ctx.layout, rotateOptions)
          : await rotateIntermediate(ctx.layout, options.intermediate, rotateOptions);
      const what = result.issuerName === "ca" ? "root CA" : `intermediate "${result.issuerName}"`;
      result.warnings.forEach((warning) => ctx.output.warn(warning));
      // A PKI that installs CRLs needs one for the new CA at once: servers refuse a combined file without it,
      // and clients checking CRLs (sslcrl) refuse the new CA's certificates until their copy holds it.
      if (existsSync(combinedCrlPath(ctx.layout))) {
        const written = await writeCrls(ctx.layout, {
          passphrase: rotateOptions.passphrase,
          insecure: rotateOptions.insecure,
          now: ctx.now,
          only: [result.issuerName],
        });
        if (ctx.output.format !== "json")
          ctx.output.info(
            `pgwarden: wrote the new CA's CRL and ${written.combinedPath}: give it to every client using sslcrl ` +
              "(pgwarden cert export again) before any certificate of the new CA is deployed",
          );
      }
      const info = describeCertificate(result.current.der, ctx.now);
      if (ctx.output.format === "json") {
        ctx.output.json({
          issuer: result.issuerName,
          certPath: result.current.certPath,
          keyPath: result.current.keyPath,
          keyEncrypted: result.keyEncrypted,
          certificate: info,
          previous: result.previous,
        });
        return;
      }
      ctx.output.info(
        `pgwarden: a new ${what} took the place of ${result.previous.subject}, which stays trusted in ${result.previous.certPath}`,
      );
      ctx.output.info(
        "next: 1. pgwarden crl, then pgwarden pg tls --reload and pgwarden cert export on every server and client, so " +
          "they trust both and hold both CRLs; 2. pgwarden cert renew --all, then deploy the renewed certificates; " +
          `3. pgwarden ca retire ${result.previous.keyId.slice(0, 16)} once nothing valid depends on the old one; deploy again`,
      );
      ctx.output.data(certificateText(info, result.current.certPath));
    });
  return describe(command, {
    description: `Replace the root CA without an outage. A new key and self-signed certificate take the place of
ca/ca.{key,crt}; its CN is the old one's next generation (pgwarden-ca -> pgwarden-ca-g2), so verifiers never
confuse the two. The old root moves to ca/rotated/ and stays trusted: the root.crt of cert export and the
ssl_ca_file of pg tls hold both until ca retire. New certificates are signed by the new root at once.
The new key is encrypted with the passphrase of the old one when that was encrypted. A kill at any moment
leaves the old root or the new one in place (the next command finishes the swap).
With --intermediate NAME: the same for intermediate NAME (ca/NAME-ca.{key,crt} and its anchor twin
ca/NAME-ca.anchor.crt): the new one is signed by the current root, keeps the old one's name constraints and
is named a generation on (pgwarden-ca-client -> pgwarden-ca-client-g2), valid --days (default
${DEFAULT_INTERMEDIATE_VALIDITY_DAYS}, cut back to the root's end); the old one's files move to
ca/rotated/NAME-<key id>.{key,crt,anchor.crt}. New leaves of that profile are signed by the new one at once;
pgwarden crl keeps writing the old one's CRL (crl/NAME-<key id>.crl, in crl/combined.crl) until ca retire.`,
    examples: [
      "pgwarden ca rotate --pki ./pki",
      "pgwarden ca rotate --passphrase-file ~/.pgwarden-ca-pass --days 3650",
      "pgwarden ca rotate --intermediate client --pki ./pki",
    ],
  });
}
