import { relative } from "node:path";

import { Command, Option } from "commander";

import { parseRevocationReason, REVOCATION_REASONS } from "../../../pki/records/revocations.js";
import { revokeCertificate } from "../../../pki/revocation/revoke.js";
import { contextOf } from "../../context.js";
import { groupOption, insecureOption, passphraseFileOption } from "../../flags.js";
import { describe } from "../../help.js";
import { crlDaysOption, INSTALL_HINT, writtenText } from "../crl/write.js";

interface Options {
  serial?: string;
  cn?: string;
  group?: string;
  reason?: string;
  days?: number;
  insecure?: boolean;
}

export function certRevokeCommand(): Command {
  const command = new Command("revoke")
    .argument("[serial]", "the certificate's serial, in hex (any case, colons allowed)")
    .addOption(new Option("--serial <hex>", "the certificate's serial (same as the argument)"))
    .addOption(new Option("--cn <name>", "the certificate's CN, when it names one live certificate"))
    .addOption(groupOption().conflicts("serial"))
    .addOption(new Option("--reason <reason>", `${Object.keys(REVOCATION_REASONS).join(", ")} (default unspecified)`))
    .addOption(crlDaysOption())
    .addOption(passphraseFileOption())
    .addOption(insecureOption())
    .action(async (serialArgument: string | undefined, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const reason = options.reason === undefined ? undefined : parseRevocationReason(options.reason);
      const serial = serialArgument ?? options.serial;
      const result = await revokeCertificate(ctx.layout, {
        ...(serial === undefined ? {} : { serial }),
        ...(options.cn === undefined ? {} : { commonName: options.cn }),
        ...(options.group === undefined ? {} : { group: options.group }),
        ...(reason === undefined ? {} : { reason }),
        ...(options.days === undefined ? {} : { days: options.days }),
        now: ctx.now,
        passphrase: await ctx.passphrase(),
        insecure: options.insecure ?? false,
        onWarning: (message) => ctx.output.warn(message),
      });
      const { certificate, revocation } = result;
      const what = `certificate ${certificate.serial} (CN ${certificate.commonName}, group ${certificate.group}, issuer ${revocation.issuerName})`;
      const said = result.alreadyRevoked
        ? `${what} was already revoked on ${revocation.revokedAt} (reason ${revocation.reason}); that revocation stands`
        : `revoked ${what}, reason ${revocation.reason}`;
      if (ctx.output.format === "json") {
        ctx.output.json({
          serial: certificate.serial,
          commonName: certificate.commonName,
          group: certificate.group,
          issuer: revocation.issuerName,
          revokedAt: revocation.revokedAt,
          reason: revocation.reason,
          alreadyRevoked: result.alreadyRevoked,
          crls: (result.written?.crls ?? []).map((crl) => ({ ...crl, path: relative(ctx.layout.root, crl.path) })),
          combinedPath: result.written ? relative(ctx.layout.root, result.written.combinedPath) : null,
        });
        return;
      }
      ctx.output.info(`pgwarden: ${said}`);
      if (result.written) ctx.output.data(writtenText(result.written, ctx.layout.root));
      ctx.output.info(`pgwarden: ${INSTALL_HINT}; open sessions that used it stay open until they end`);
    });
  return describe(command, {
    description: `Takes back a certificate pgwarden issued or signed: records the revocation (time, reason) in
db/revocations/ and writes its issuer's CRL and crl/combined.crl, so that servers refuse it once they
install the CRL (pg tls --reload). Name it by SERIAL (as cert list prints it), or by --cn (with --group)
when that names one live certificate; several are listed and nothing is done (exit 2). The CRL is
signed with the issuer's key (passphrase from --passphrase-file or PGWARDEN_CA_PASSPHRASE), which is
read before anything is written. A certificate already revoked is left as it is, with the date it was
revoked (exit 0, so a retry is safe); its CRL is written again only if it does not list it yet.
A certificate signed by a CA that ca rotate replaced goes into that CA's CRL (crl/<issuer>-<key id 16>.crl,
signed with its key kept in ca/rotated/); one of a retired CA is refused (exit 7): nothing trusts it any more.
With --format json: schemas/cert-revoke.schema.json.`,
    exitNotes: [
      "0  revoked, or already revoked",
      "2  a bad serial or --reason, or --cn names several live certificates",
      "4  no certificate with that serial or CN in pgwarden's records",
      "7  its issuer's key cannot sign (wrong passphrase, missing), or its CA was retired",
    ],
    examples: [
      "pgwarden cert revoke 3f2a9c0d11e84b7aa1c2d3e4f5a6b7c8 --reason keyCompromise",
      "pgwarden cert revoke --cn alice --group client --reason superseded",
    ],
  });
}
