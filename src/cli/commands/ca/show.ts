import { Command } from "commander";

import { ExitCode } from "../../../core/errors.js";
import { issuersOverview } from "../../../pki/inspect/issuer-overview.js";
import type { IssuerCrlStatus } from "../../../pki/revocation/crl-status.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { describe } from "../../help.js";
import { certificateText, keyValueLines } from "../../render.js";

function crlText(crl: IssuerCrlStatus): string {
  if (crl.state === "missing") return `none (${crl.path})`;
  if (crl.state === "unreadable") return `unreadable (${crl.path})`;
  return `number ${crl.number ?? "-"}, next update ${crl.nextUpdate?.toISOString() ?? "-"}, ${crl.entries ?? 0} revoked (${crl.state}, ${crl.path})`;
}

export function caShowCommand(): Command {
  const command = new Command("show").action(async (_options: object, cmd: Command) => {
    const ctx = contextOf(cmd);
    const overview = await issuersOverview(ctx.layout, ctx.now);
    [...overview.caProblems, ...overview.crlProblems].forEach((problem) => ctx.output.warn(problem));
    const root = overview.issuers.find((issuer) => issuer.kind === "root" && !issuer.rotated);
    if (ctx.output.format === "json") {
      ctx.output.json({
        // The root's fields first, as before intermediates existed.
        certPath: root?.certPath,
        keyPath: root?.keyPath,
        key: root?.key,
        certificate: root?.certificate,
        issuers: overview.issuers,
        soonestExpiry: overview.soonestExpiry,
      });
    } else {
      const blocks = overview.issuers.map(
        (issuer) =>
          `${issuer.name} (${issuer.kind === "root" ? "root CA" : "intermediate CA"}` +
          `${issuer.rotated ? ", rotated, trusted until retired" : ""})\n` +
          `${certificateText(issuer.certificate, issuer.certPath)}\n` +
          keyValueLines([
            ["key file", `${issuer.keyPath} (${issuer.key})`],
            ["crl", crlText(issuer.crl)],
          ]),
      );
      const soonest = overview.soonestExpiry;
      ctx.output.data(
        `${blocks.join("\n\n")}\n\n${keyValueLines([
          [
            "soonest expiry",
            `${soonest.notAfter} (${soonest.issuer}, ${soonest.daysLeft < 0 ? "expired" : `${soonest.daysLeft} days left`})`,
          ],
        ])}`,
      );
    }
    if (overview.caProblems.length > 0 || overview.crlProblems.length > 0) throw new ExitSignal(ExitCode.checkFailed);
  });
  return describe(command, {
    description: `Show every CA of the PKI, the root (ca/ca.crt) and each intermediate (ca/<name>-ca.crt): subject,
key type, validity and days left, fingerprints, key file state, and its CRL's number and nextUpdate;
then the soonest expiry among them. CAs that ca rotate replaced follow, marked "rotated, trusted until
retired", with their expiry and CRL (pgwarden crl keeps signing it); retired ones are not listed. A CRL within its warning window (a third of its life, at least
2 days, before nextUpdate) or past it is a warning on stderr and exit 1, as pgwarden crl status.
With --format json: the root's fields as before, plus "issuers" and "soonestExpiry" (schemas/ca-show.schema.json).`,
    exitNotes: [
      "1  a current CA has expired, or a CRL is due, expired or missing while needed (see pgwarden crl status)",
    ],
    examples: ["pgwarden ca show", "pgwarden ca show --pki files/pki --format json"],
  });
}
