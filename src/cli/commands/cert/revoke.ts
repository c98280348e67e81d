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
  force?: boolean;
}

export function certRevokeCommand(): Command {
  const command = new Command("revoke")
    .argument("[serial]", "the certificate's serial, in hex (any case, colons allowed)")
    .addOption(new Option("--serial <hex>", "the certificate's serial (same as the argument)"))
    .addOption(new Option("--cn <name>", "the certificate's CN, when it names one live certificate"))
    .addOption(groupOption().conflicts("serial"))
    .addOption(new Option("--reason <reason>", `${Object.keys(REVOCATION_REASONS).join(", ")} (default unspecified)`))
    .addOption(
      new Option(
        "--force",
        "revoke an intermediate CA's certificate (every certificate it issued then fails where the CRL is checked)",
      ),
    )
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
        ...(options.force === true ? { force: true } : {}),
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
      const serials = (records: readonly { serial: string }[]) => records.map((record) => record.serial);
      if (result.stillValid.length > 0)
        ctx.output.warn(
          `older certificates of the same renewal chain stay valid (${serials(result.stillValid).join(", ")}); ` +
            "a renewal keeps the key unless --rekey: if the key leaked, revoke with --reason keyCompromise (or --cn), which takes the whole chain",
        );
      if (ctx.output.format === "json") {
        ctx.output.json({
          serial: certificate.serial,
          commonName: certificate.commonName,
          group: certificate.group,
          issuer: revocation.issuerName,
          revokedAt: revocation.revokedAt,
          reason: revocation.reason,
          alreadyRevoked: result.alreadyRevoked,
          alsoRevoked: serials(result.alsoRevoked),
          stillValid: serials(result.stillValid),
          crls: (result.written?.crls ?? []).map((crl) => ({ ...crl, path: relative(ctx.layout.root, crl.path) })),
          combinedPath: result.written ? relative(ctx.layout.root, result.written.combinedPath) : null,
        });
        return;
      }
      ctx.output.info(`pgwarden: ${said}`);
      if (result.alsoRevoked.length > 0)
        ctx.output.info(
          `pgwarden: with it, the other certificates of its renewal chain: ${serials(result.alsoRevoked).join(", ")}`,
        );
      if (result.written) ctx.output.data(writtenText(result.written, ctx.layout.root));
      ctx.output.info(`pgwarden: ${INSTALL_HINT}; open sessions that used it stay open until they end`);
    });
  return describe(command, {
    description: `Takes back a certificate pgwarden issued or signed: records the revocation (time, reason) in
db/revocations/ and writes its issuer's CRL and crl/combined.crl, so that servers refuse it once they
install the CRL (pg tls --reload). Name it by SERIAL (as cert list prints it), or by --cn (with --group).
--cn revokes the whole renewal chain of that name (cert renew keeps the key unless --rekey, so the older
certificates may carry the same key); so does --reason keyCompromise given a SERIAL. Otherwise a SERIAL revokes
that one certificate and the older ones of its chain still valid are named in a warning. A --cn with several
unrelated live certificates (other groups) lists them and does nothing (exit 2). A root CA's certificate is never
revoked (ca rotate replaces a root); an intermediate's only with --force. The CRL is
signed with the issuer's key (passphrase from --passphrase-file or PGWARDEN_CA_PASSPHRASE), which is
read before anything is written. A certificate already revoked is left as it is, with the date it was
revoked (exit 0, so a retry is safe); its CRL is written again only if it does not list it yet.
A certificate signed by a CA that ca rotate replaced goes into that CA's CRL (crl/<issuer>-<key id 16>.crl,
signed with its key kept in ca/rotated/); one of a retired CA is refused (exit 7): nothing trusts it any more.
With --format json: schemas/cert-revoke.schema.json.`,
    exitNotes: [
      "0  revoked, or already revoked",
      "2  a bad serial or --reason, --cn names several unrelated live certificates, a root's serial, an intermediate's without --force",
      "4  no certificate with that serial or CN in pgwarden's records",
      "7  its issuer's key cannot sign (wrong passphrase, missing), or its CA was retired",
    ],
    examples: [
      "pgwarden cert revoke 3f2a9c0d11e84b7aa1c2d3e4f5a6b7c8 --reason keyCompromise",
      "pgwarden cert revoke --cn alice --group client --reason superseded   # alice's certificate and the older ones it renewed",
    ],
  });
}
