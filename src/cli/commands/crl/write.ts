import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";

import { Command, Option } from "commander";

import { listIssuerFiles } from "../../../pki/authority/issuers.js";
import { isEncryptedPem } from "../../../pki/keys/key-file.js";
import { crlTimerUnits } from "../../../pki/revocation/crl-timer.js";
import {
  DEFAULT_CRL_VALIDITY_DAYS,
  MAX_CRL_VALIDITY_DAYS,
  writeCrls,
  type WriteCrlsResult,
} from "../../../pki/revocation/crl-writer.js";
import { contextOf } from "../../context.js";
import { insecureOption, passphraseFileOption } from "../../flags.js";
import { describe } from "../../help.js";
import { integerFlag } from "../../number-flags.js";
import { table } from "../../render.js";

interface Options {
  days?: number;
  printTimer?: boolean;
  insecure?: boolean;
}

/** `--days` of CRLs: their life, from now to nextUpdate. */
export const crlDaysOption = () =>
  new Option(
    "--days <n>",
    `days until the CRLs' nextUpdate, 1 to ${MAX_CRL_VALIDITY_DAYS} (default ${DEFAULT_CRL_VALIDITY_DAYS}: short enough that a stale ` +
      "CRL is noticed, long enough that a few missed daily runs do not let it expire and lock every certificate out)",
  ).argParser(integerFlag({ flag: "--days", min: 1, max: MAX_CRL_VALIDITY_DAYS, code: "bad-days" }));

/** The lines after writing CRLs: what was written and how to install it. */
export function writtenText(result: WriteCrlsResult, root: string): string {
  const rows = result.crls.map((crl) => [
    crl.issuer,
    String(crl.number),
    String(crl.entries),
    crl.nextUpdate.toISOString(),
    relative(root, crl.path),
  ]);
  return `${table(["ISSUER", "NUMBER", "ENTRIES", "NEXT UPDATE", "PATH"], rows)}\ncombined: ${relative(root, result.combinedPath)}\n`;
}

/**
 * The service with a note on the clients' copies: cert export ships crl/combined.crl as root.crl (sslcrl), which libpq
 * refuses once past its nextUpdate exactly as the server's copy, so it needs refreshing as often.
 */
function withClientCopyNote(service: string): string {
  const note = [
    "# CLIENTS: every client using sslcrl (cert export's root.crl) needs its root.crl refreshed as often as this runs,",
    "# or libpq refuses every server once that copy passes its nextUpdate: re-run pgwarden cert export, or copy",
    "# crl/combined.crl to each client's root.crl (an ExecStart= here, or their own timer); --no-crl exports omit it.",
  ];
  return `${service.replace(/\n*$/, "")}\n${note.join("\n")}\n`;
}

/** How to put the new CRL on the servers: the same advice after `crl` and `cert revoke`. */
export const INSTALL_HINT =
  "next: install it on every server with pgwarden pg tls --pgdata DIR --reload (or --conn URL --reload), " +
  "as you deployed TLS there; until then servers keep the CRL they have";

export function crlWriteCommand(): Command {
  const command = new Command("write")
    .addOption(crlDaysOption())
    .addOption(
      new Option(
        "--print-timer",
        "print a systemd service and timer that regenerate and install the CRLs daily; write nothing",
      ),
    )
    .addOption(passphraseFileOption())
    .addOption(insecureOption())
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const days = options.days ?? DEFAULT_CRL_VALIDITY_DAYS;
      if (options.printTimer) {
        const keys = await Promise.all(
          (await listIssuerFiles(ctx.layout)).map((files) => readFile(files.keyPath, "utf8").catch(() => "")),
        );
        const generated = crlTimerUnits({
          node: process.execPath,
          program: resolve(process.argv[1] ?? "pgwarden"),
          pki: ctx.layout.root,
          days,
          encryptedKey: keys.some(isEncryptedPem),
        });
        const units = { ...generated, service: withClientCopyNote(generated.service) };
        if (ctx.output.format === "json") {
          ctx.output.json({ timer: units });
          return;
        }
        ctx.output.data(
          `# /etc/systemd/system/${units.serviceName}\n${units.service}\n# /etc/systemd/system/${units.timerName}\n${units.timer}`,
        );
        ctx.output.info(
          `pgwarden: adapt the pg tls line to your servers, then: systemctl daemon-reload && systemctl enable --now ${units.timerName}`,
        );
        return;
      }
      const result = await writeCrls(ctx.layout, {
        now: ctx.now,
        days,
        passphrase: await ctx.passphrase(),
        insecure: options.insecure ?? false,
        onWarning: (message) => ctx.output.warn(message),
      });
      result.unreadable.forEach((path) =>
        ctx.output.warn(`${path} is not a readable revocation; its certificate is in no CRL: fix or remove it`),
      );
      if (ctx.output.format === "json") {
        ctx.output.json({
          crls: result.crls.map((crl) => ({ ...crl, path: relative(ctx.layout.root, crl.path) })),
          combinedPath: relative(ctx.layout.root, result.combinedPath),
        });
        return;
      }
      ctx.output.data(writtenText(result, ctx.layout.root));
      ctx.output.info(`pgwarden: ${INSTALL_HINT}`);
    });
  return describe(command, {
    summary: "write every issuer's CRL and the combined file (pgwarden crl alone does this)",
    description: `Writes a new CRL for every issuer of the PKI (the root ca and each intermediate ca/<name>-ca.crt):
crl/<issuer>.crl, and for every CA ca rotate replaced and ca retire has not retired (ca/rotated/), with its kept
key: crl/<issuer>-<key id 16>.crl, so the old CA's certificates stay accepted until it is retired; PEM X509 CRL v2 signed by the issuer's key, listing the certificates it issued that
cert revoke took back, with a CRL number one higher than any before (kept in db/crl/, never reused,
even across concurrent runs or a kill), thisUpdate 5 minutes back and nextUpdate --days ahead. Then
crl/combined.crl, every issuer's CRL in one file (rotated CAs' included, a retired CA's not): the file servers install (pg tls does). Run it before
the CRLs' nextUpdate, or servers refuse every certificate ("CRL has expired"): --print-timer prints a
systemd timer that does it daily (its service ends with a comment: clients given root.crl by cert export, sslcrl, need
that copy refreshed as often, or libpq refuses every server once it expires). The CA keys' passphrase comes from --passphrase-file or
PGWARDEN_CA_PASSPHRASE. With --format json: {"crls": [...], "combinedPath"} or, with --print-timer,
{"timer": {...}} (schemas/crl-write.schema.json).`,
    examples: [
      "pgwarden crl",
      "pgwarden crl --days 14 --passphrase-file /etc/pgwarden/ca-passphrase",
      "pgwarden crl --print-timer > units.txt",
    ],
  });
}
