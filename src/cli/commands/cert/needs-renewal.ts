import { Command, Option } from "commander";

import { ExitCode, usageError } from "../../../core/errors.js";
import { recoverInterruptedWrites } from "../../../pki/issuing/pair-journal.js";
import { needsRenewal, type RenewalTarget } from "../../../pki/renewal/needs-renewal.js";
import { DEFAULT_RENEWAL_THRESHOLD, type RenewalThreshold } from "../../../pki/renewal/renewal-threshold.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { describe } from "../../help.js";
import { durationFlag, integerFlag } from "../../number-flags.js";

interface Options {
  cn?: string;
  group?: string;
  serial?: string;
  /** --before, in milliseconds. */
  before?: number;
  beforePercent?: number;
}

export function certNeedsRenewalCommand(): Command {
  const command = new Command("needs-renewal")
    .argument("[file]", "a certificate file (PEM; the first certificate in it)")
    .addOption(new Option("--cn <name>", "a certificate pgwarden recorded, by its CN"))
    .addOption(
      new Option("--group <name>", "only certificates in this folder under the PKI directory (client, server, ...)"),
    )
    .addOption(new Option("--serial <hex>", "a certificate pgwarden recorded, by its serial (as cert list shows it)"))
    .addOption(
      new Option("--before <duration>", "due when less than this is left before notAfter (30d, 12h, 2w)").argParser(
        durationFlag("--before"),
      ),
    )
    .addOption(
      new Option(
        "--before-percent <n>",
        "due when less than this share of the lifetime is left, 1 to 99 (default: a third)",
      )
        .argParser(integerFlag({ flag: "--before-percent", min: 1, max: 99, code: "bad-percent" }))
        .conflicts("before"),
    )
    .action(async (file: string | undefined, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const named = options.cn !== undefined || options.serial !== undefined;
      if (file !== undefined && (named || options.group !== undefined))
        throw usageError("target-twice", "give a certificate FILE or --cn/--serial (with --group), not both");
      if (file === undefined && !named)
        throw usageError("target-required", "give a certificate FILE, or --cn CN (with --group G) or --serial S");
      const threshold: RenewalThreshold =
        options.before !== undefined
          ? { kind: "before", ms: options.before }
          : options.beforePercent !== undefined
            ? { kind: "percent", percent: options.beforePercent }
            : DEFAULT_RENEWAL_THRESHOLD;
      const target: RenewalTarget =
        file !== undefined ? { file } : { commonName: options.cn, group: options.group, serial: options.serial };
      if (named) await recoverInterruptedWrites(ctx.layout).catch(() => undefined);
      const result = await needsRenewal(named ? ctx.layout : undefined, target, threshold, ctx.now);
      if (ctx.output.format === "json")
        ctx.output.json({
          due: result.due,
          serial: result.serial,
          subject: result.subject,
          source: result.source,
          notBefore: result.notBefore,
          notAfter: result.notAfter,
          remainingSeconds: Math.floor(result.remainingMs / 1000),
          thresholdSeconds: Math.floor(result.thresholdMs / 1000),
          reason: result.reason,
        });
      else ctx.output.info(`${result.source}: ${result.reason}`);
      if (!result.due) throw new ExitSignal(ExitCode.checkFailed);
    });
  return describe(command, {
    summary: "answer, through the exit code, whether a certificate is due for renewal",
    description: `Exit 0 when the certificate is due for renewal, 1 when it is not, as step certificate needs-renewal: for
cron jobs and agents (cert needs-renewal --cn app --quiet && cert renew --cn app). Due means less time is left before
notAfter than the threshold: --before 30d, or --before-percent 33 (that share of the certificate's lifetime); by
default a third of the lifetime, step's default. An expired certificate is due. The certificate is a FILE, or one
pgwarden recorded, by --cn (with --group when the CN has certificates in several groups) or --serial; only the newest
of a renewal chain is live. One line on stderr says why (notAfter, the time left, the threshold); --quiet prints
nothing. With --format json: {"due", "serial", "notAfter", "remainingSeconds", "thresholdSeconds", "reason", ...}.`,
    examples: [
      "pgwarden cert needs-renewal pki/server/db1.crt",
      "pgwarden cert needs-renewal --cn app --before 30d --quiet && pgwarden cert renew --cn app",
      "pgwarden cert needs-renewal --serial 5f3a09c1d2 --before-percent 20",
    ],
    exitNotes: [
      "0   renewal is due",
      "1   renewal is not due yet",
      "2   bad input: not a certificate, a bad duration, or a CN with several live certificates (give --group or --serial)",
      "4   the file, CN or serial does not exist",
    ],
  });
}
