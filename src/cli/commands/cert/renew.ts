import { Command, Option } from "commander";

import { usageError } from "../../../core/errors.js";
import { MAX_VALIDITY_DAYS } from "../../../pki/issuing/validity.js";
import { renewCertificates, type RenewedCertificate, type RenewSelection } from "../../../pki/renewal/renew.js";
import { contextOf } from "../../context.js";
import { insecureOption, passphraseFileOption } from "../../flags.js";
import { describe } from "../../help.js";
import { durationFlag, integerFlag } from "../../number-flags.js";
import { progressBar } from "../../progress.js";

interface Options {
  cn?: string;
  serial?: string;
  /** --expiring, in milliseconds. */
  expiring?: number;
  all?: boolean;
  group?: string;
  rekey?: boolean;
  revokeOld?: boolean;
  days?: number;
  issuer?: string;
  insecure?: boolean;
}

/** The selection the flags make: exactly one of --cn/--serial (together allowed), --expiring, --all. */
function selectionOf(options: Options): RenewSelection {
  const named = options.cn !== undefined || options.serial !== undefined;
  const modes = [named, options.expiring !== undefined, options.all === true].filter(Boolean).length;
  if (modes !== 1)
    throw usageError(
      "selection-required",
      "choose the certificates with one of --cn CN, --serial S, --expiring 30d or --all (--group narrows any of them)",
    );
  if (named) return { kind: "named", commonName: options.cn, group: options.group, serial: options.serial };
  return { kind: "bulk", group: options.group, expiringWithinMs: options.expiring };
}

function renewedJson(renewal: RenewedCertificate) {
  const { record } = renewal;
  return {
    renews: renewal.renews,
    serial: record.serial,
    commonName: record.commonName,
    profile: record.profile,
    group: record.group,
    issuerName: record.issuerName ?? "ca",
    notBefore: record.notBefore,
    notAfter: record.notAfter,
    fingerprintSha256: record.fingerprintSha256,
    certPath: renewal.certPath,
    keyPath: renewal.keyPath,
    rekeyed: renewal.rekeyed,
  };
}

export function certRenewCommand(): Command {
  const command = new Command("renew")
    .addOption(new Option("--cn <name>", "the certificate with this CN (with --group when several groups have one)"))
    .addOption(new Option("--serial <hex>", "the certificate with this serial (as cert list shows it)"))
    .addOption(
      new Option(
        "--expiring <duration>",
        "every live certificate that expires within this time (30d, 12h, 2w)",
      ).argParser(durationFlag("--expiring")),
    )
    .addOption(new Option("--all", "every live certificate pgwarden recorded"))
    .addOption(
      new Option("--group <name>", "only certificates in this folder under the PKI directory (client, server, ...)"),
    )
    .addOption(new Option("--rekey", "give each a new key of the same type (default: keep its public key)"))
    .addOption(
      new Option(
        "--revoke-old",
        "record a revocation (superseded) of each old certificate once the new one is in place",
      ),
    )
    .addOption(
      new Option(
        "--days <n>",
        "validity of the new certificates in days (default: each old certificate's lifetime)",
      ).argParser(integerFlag({ flag: "--days", min: 1, max: MAX_VALIDITY_DAYS, code: "bad-days" })),
    )
    .addOption(
      new Option(
        "--issuer <name>",
        "sign with this CA (ca for the root, or an intermediate's name) instead of each certificate's own: moves certificates to an intermediate",
      ),
    )
    .addOption(passphraseFileOption())
    .addOption(insecureOption())
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const selection = selectionOf(options);
      const passphrase = await ctx.passphrase();
      const result = await renewCertificates(ctx.layout, {
        selection,
        rekey: options.rekey ?? false,
        revokeOld: options.revokeOld ?? false,
        days: options.days,
        now: ctx.now,
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
        passphrase,
        insecure: options.insecure ?? false,
        onWarning: (message) => ctx.output.warn(message),
        ...(selection.kind === "bulk" ? { onProgress: progressBar(ctx.output, "renewing") } : {}),
      });
      result.warnings.forEach((warning) => ctx.output.warn(warning));
      result.skipped.forEach((skip) => ctx.output.warn(`skipped ${skip.serial} (${skip.certPath}): ${skip.reason}`));
      if (result.crl) ctx.output.info(`pgwarden: ${result.crl.note}`);
      if (ctx.output.format === "json") {
        ctx.output.json({
          renewed: result.renewed.map(renewedJson),
          skipped: result.skipped,
          revokedOld: result.revokedOld,
          crlRegenerated: result.crl?.regenerated ?? false,
        });
        return;
      }
      if (result.renewed.length > 0)
        ctx.output.data(
          result.renewed
            .map(
              (renewal) =>
                `${renewal.renews} -> ${renewal.record.serial}  ${renewal.certPath}${renewal.rekeyed ? "  (new key)" : ""}`,
            )
            .join("\n"),
        );
      const revoked = result.revokedOld.length > 0 ? `, revoked ${result.revokedOld.length} old (superseded)` : "";
      const skipped = result.skipped.length > 0 ? `, skipped ${result.skipped.length}` : "";
      ctx.output.info(`pgwarden: renewed ${result.renewed.length} certificates${revoked}${skipped}`);
    });
  return describe(command, {
    summary: "re-issue certificates with the same subject, SANs, profile, group and issuer",
    description: `Re-issue certificates pgwarden recorded: same CN, SANs, profile, group and issuer, a new serial and
validity (--days, default each certificate's own lifetime), the same public key unless --rekey (a new key of the same
type). The new certificate replaces <group>/<cn>.crt (and, with --rekey, the key) under the pair journal: a kill at any
moment leaves the old pair or the new one, each recorded; the new record names the old serial ("renews"). Only the
newest certificate of a renewal chain is renewed again. Choose with --cn (plus --group when several groups have that
CN), --serial, --expiring 30d or --all; --group narrows any of them. A revoked certificate is renewed only by name and
with --rekey (its key may be what was compromised); --all and --expiring skip revoked ones. A certificate signed from a
CSR keeps its public key (its key is with the requester, so --rekey is refused for it). --revoke-old records a
revocation (reason superseded) of each old certificate once the new one is in place (killed in between, an old one
stays unrevoked: revoke it by the serial its successor's record "renews"), then writes the CRLs of the issuers
concerned and crl/combined.crl (install them with pg tls --reload). Many certificates are signed on all cores (with --rekey) with a progress bar on a terminal.
With --format json: {"renewed": [...], "skipped": [...], "revokedOld": [...], "crlRegenerated", "warnings"}.`,
    examples: [
      "pgwarden cert renew --cn dbuser_app",
      "pgwarden cert renew --cn pg-meta-1 --group server --rekey",
      "pgwarden cert renew --expiring 30d --rekey --revoke-old",
      "pgwarden cert renew --all --group client --days 90",
      "pgwarden cert renew --all --group client --issuer client   # after ca init --intermediates: move client certificates to the client intermediate",
      "pgwarden cert needs-renewal --cn app --quiet && pgwarden cert renew --cn app",
    ],
    exitNotes: [
      "2   a CN with several live certificates (give --serial or --group), a revoked certificate without --rekey, --rekey of a signed certificate",
      "4   no certificate with that CN or serial",
      "7   the issuer cannot sign (expired, key missing, wrong passphrase), or the certificate on disk is not the recorded one",
    ],
  });
}
