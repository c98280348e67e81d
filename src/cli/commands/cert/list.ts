import { Command, Option } from "commander";

import { ExitCode, pkiError, usageError } from "../../../core/errors.js";
import { LIST_STATUSES, listCertificates, type ListStatus } from "../../../pki/inspect/cert-list.js";
import { parseProfile } from "../../../pki/issuing/profiles.js";
import { crlStatus } from "../../../pki/revocation/crl-status.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { describe } from "../../help.js";
import { durationFlag } from "../../number-flags.js";
import { table } from "../../render.js";

/** Unreadable files named in the one error line; the rest are counted. */
const MAX_ERRORS_SHOWN = 5;

interface Options {
  /** --expiring, in milliseconds. */
  expiring?: number;
  profile?: string;
  status: ListStatus[];
}

function parseStatus(value: string, previous: ListStatus[]): ListStatus[] {
  const statuses = value.split(",").map((status) => status.trim());
  for (const status of statuses)
    if (!(LIST_STATUSES as readonly string[]).includes(status))
      throw usageError(
        "bad-status",
        `--status ${JSON.stringify(status)} is not a status: use one of ${LIST_STATUSES.join(", ")}`,
      );
  return [...previous, ...(statuses as ListStatus[])];
}

export function certListCommand(): Command {
  const command = new Command("list")
    .addOption(
      new Option(
        "--expiring <duration>",
        "only certificates that expire within this time (30d, 12h, 2w), expired ones included",
      ).argParser(durationFlag("--expiring")),
    )
    .addOption(new Option("--profile <profile>", "only server, client or peer certificates"))
    .addOption(
      new Option(
        "--status <status>",
        `only certificates in this state (repeatable, or comma-separated): ${LIST_STATUSES.join(", ")}`,
      )
        .argParser(parseStatus)
        .default([]),
    )
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const result = await listCertificates(ctx.layout, {
        now: ctx.now,
        expiringWithinMs: options.expiring,
        profile: options.profile === undefined ? undefined : parseProfile(options.profile).name,
        statuses: options.status.length === 0 ? undefined : options.status,
      });
      // A CRL about to expire locks out every certificate listed here: said first, and exit 1 once the list is out.
      const crlProblems = (await crlStatus(ctx.layout, ctx.now)).problems;
      crlProblems.forEach((problem) => ctx.output.warn(problem));
      const crlCheck = () => {
        if (crlProblems.length > 0) throw new ExitSignal(ExitCode.checkFailed);
      };
      result.unreadable.forEach((path) => ctx.output.warn(`${path} is not a readable certificate or record; skipped`));
      // Printed after the list, and the exit is 7: a file that cannot be read says nothing about its certificate.
      const failed = () => {
        if (result.errors.length === 0) return;
        const shown = result.errors.slice(0, MAX_ERRORS_SHOWN).join("; ");
        const more =
          result.errors.length > MAX_ERRORS_SHOWN ? ` and ${result.errors.length - MAX_ERRORS_SHOWN} more` : "";
        throw pkiError(
          "unreadable-files",
          `cannot read ${shown}${more}: fix or remove these files under ${ctx.layout.root}, then list again`,
        );
      };
      if (ctx.output.format === "json") {
        ctx.output.json({ certificates: result.entries });
        failed();
        return crlCheck();
      }
      if (result.entries.length === 0) {
        ctx.output.info(
          `pgwarden: no certificates${options.expiring !== undefined || options.profile || options.status.length > 0 ? " match" : ` under ${ctx.layout.root}`}`,
        );
        failed();
        return crlCheck();
      }
      ctx.output.data(
        table(
          ["SERIAL", "CN", "PROFILE", "ORIGIN", "NOT AFTER", "DAYS", "STATUS", "PATH"],
          result.entries.map((entry) => [
            entry.serial,
            entry.commonName,
            entry.profile,
            entry.origin,
            entry.notAfter.slice(0, 10),
            String(entry.daysLeft),
            entry.status,
            entry.path,
          ]),
        ),
      );
      failed();
      crlCheck();
    });
  return describe(command, {
    description: `The inventory: every certificate pgwarden issued or signed, checked against the files on disk,
and every certificate under the PKI directory it did not make (such as a Pigsty files/pki), marked found.
STATUS is valid, expired, not-yet-valid, missing (the file is gone), replaced (another certificate
took its path), key-mismatch (the key beside it is not its key, signed certificates included) or
key-unreadable (a key file is there but cannot be read) or revoked (cert revoke took it back);
--status selects some of them. A CRL due or past its nextUpdate (as pgwarden crl status says) is a
warning on stderr and exit 1 after the list. A file that exists but cannot be
read (a directory, a dangling symlink, an I/O error) is reported on stderr and the exit code is 7.
Before listing, a key/certificate replacement that a killed pgwarden left half done is finished.
With --format json: {"certificates": [...]} (schemas/cert-list.schema.json).`,
    examples: [
      "pgwarden cert list",
      "pgwarden cert list --expiring 30d",
      "pgwarden cert list --status revoked,expired",
      "pgwarden cert list --pki files/pki --profile client --format json",
    ],
  });
}
