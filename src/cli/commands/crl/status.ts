import { Command } from "commander";

import { ExitCode } from "../../../core/errors.js";
import { crlStatus } from "../../../pki/revocation/crl-status.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { describe } from "../../help.js";
import { table } from "../../render.js";

export function crlStatusCommand(): Command {
  const command = new Command("status").action(async (_options: object, cmd: Command) => {
    const ctx = contextOf(cmd);
    const status = await crlStatus(ctx.layout, ctx.now);
    status.problems.forEach((problem) => ctx.output.warn(problem));
    if (ctx.output.format === "json") {
      ctx.output.json({ issuers: status.issuers, combined: status.combined, ok: status.problems.length === 0 });
    } else {
      const rows = status.issuers.map((issuer) => [
        issuer.issuer,
        issuer.state,
        issuer.number === undefined ? "-" : String(issuer.number),
        issuer.thisUpdate?.toISOString() ?? "-",
        issuer.nextUpdate?.toISOString() ?? "-",
        issuer.entries === undefined ? "-" : String(issuer.entries),
        issuer.path,
      ]);
      ctx.output.data(
        `${table(["ISSUER", "STATE", "NUMBER", "THIS UPDATE", "NEXT UPDATE", "ENTRIES", "PATH"], rows)}\n` +
          `combined: ${status.combined.path} (${status.combined.state})\n`,
      );
    }
    if (status.problems.length > 0) throw new ExitSignal(ExitCode.checkFailed);
  });
  return describe(command, {
    summary: "each issuer's CRL: number, nextUpdate, entries; exit 1 when one is due, expired or missing",
    description: `Each issuer's CRL: number, thisUpdate, nextUpdate, revoked entries, and whether crl/combined.crl
holds the newest of each. A CRL past its nextUpdate makes PostgreSQL refuse every certificate of its
issuer, so this warns ahead: from a third of the CRL's life before nextUpdate, and at least 2 days
before (a 7-day CRL: from day 5). STATE is current, due (within that window), expired, missing or
unreadable. With --format json: {"issuers": [...], "combined", "ok"} (schemas/crl-status.schema.json).`,
    exitNotes: [
      "0  every CRL is current",
      "1  a CRL is due or expired, a needed CRL is missing (revocations recorded, or other issuers have one), or combined.crl is stale",
    ],
    examples: ["pgwarden crl status", "pgwarden crl status --format json"],
  });
}
