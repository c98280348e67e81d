import { Command } from "commander";

import { readInputFile } from "../../../core/fs/read-input.js";
import { badPemError, decodeCertificates } from "../../../pki/encoding/pem.js";
import { describeCertificate } from "../../../pki/inspect/certificate-info.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { certificateText } from "../../render.js";

/** Every certificate in a PEM file the person named, as DER; not PEM or not X.509 is invalid input (exit 2). */
export async function readCertificates(file: string): Promise<Buffer[]> {
  const text = await readInputFile(file, "certificate file");
  return decodeCertificates(text, file, "input");
}

export function certInspectCommand(): Command {
  const command = new Command("inspect")
    .argument("<file>", "a certificate (PEM; every certificate of a chain file is shown)")
    .action(async (file: string, _options: object, cmd: Command) => {
      const ctx = contextOf(cmd);
      const infos = (await readCertificates(file)).map((der) => {
        try {
          return describeCertificate(der, ctx.now);
        } catch (error) {
          throw badPemError(
            "input",
            "bad-certificate",
            `${file} holds a PEM block that is not a valid X.509 certificate`,
            "give a PEM certificate",
            error,
          );
        }
      });
      if (ctx.output.format === "json") ctx.output.json({ file, certificates: infos });
      else
        ctx.output.data(
          infos.map((info, index) => certificateText(info, index === 0 ? file : `${file} [${index}]`)).join("\n\n"),
        );
    });
  return describe(command, {
    description:
      "Show a certificate the way `openssl x509 -text` does, made readable: subject, issuer, serial, validity and days left, SANs, key usage, EKU, " +
      'basic constraints, key, fingerprints. With --format json: {"file", "certificates": [...]}, a list for one certificate as for a chain.',
    examples: [
      "pgwarden cert inspect pki/server/pg-meta-1.crt",
      "pgwarden cert inspect ~/.postgresql/postgresql.crt --format json",
    ],
  });
}
