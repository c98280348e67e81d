import { readFile } from "node:fs/promises";

import { Command } from "commander";

import { notFoundError } from "../../../core/errors.js";
import { readCertificateFile } from "../../../pki/authority/certificate-authority.js";
import { describeCertificate } from "../../../pki/inspect/certificate-info.js";
import { isEncryptedPem } from "../../../pki/keys/key-file.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { certificateText, keyValueLines } from "../../render.js";

export function caShowCommand(): Command {
  const command = new Command("show").action(async (_options: object, cmd: Command) => {
    const ctx = contextOf(cmd);
    const { der } = await readCertificateFile(ctx.layout.caCert, "CA certificate").catch((error: unknown) => {
      throw error instanceof Error && "code" in error && error.code === "cert-missing"
        ? notFoundError("ca-missing", `no CA in ${ctx.layout.caDir}: run pgwarden ca init --pki ${ctx.layout.root}`)
        : error;
    });
    const info = describeCertificate(der, ctx.now);
    const keyText = await readFile(ctx.layout.caKey, "utf8").catch(() => undefined);
    const key =
      keyText === undefined ? "missing" : isEncryptedPem(keyText) ? "present, encrypted" : "present, not encrypted";
    if (ctx.output.format === "json") {
      ctx.output.json({ certPath: ctx.layout.caCert, keyPath: ctx.layout.caKey, key, certificate: info });
      return;
    }
    ctx.output.data(
      `${certificateText(info, ctx.layout.caCert)}\n${keyValueLines([["key file", `${ctx.layout.caKey} (${key})`]])}`,
    );
  });
  return describe(command, {
    description: "Show the CA: subject, key type, validity and days left, fingerprints, and where its files are.",
    examples: ["pgwarden ca show", "pgwarden ca show --pki files/pki --format json"],
  });
}
