import { Command, Option } from "commander";
import { readCertificateFile } from "../../../pki/certificate-authority.js";
import { verifyCertificate, type Purpose } from "../../../pki/verify.js";
import { ExitCode, notFoundError } from "../../../errors.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { describe } from "../../help.js";
import { readCertificates } from "./inspect.js";

interface Options {
  purpose?: Purpose;
  host?: string;
  caFile?: string;
}

export function certVerifyCommand(): Command {
  const command = new Command("verify")
    .argument("<file>", "the certificate (PEM; extra certificates in the file are taken as its chain)")
    .addOption(new Option("--purpose <purpose>", "what it must be usable for").choices(["server", "client"]))
    .addOption(new Option("--host <name>", "host name or IP address it must be valid for"))
    .addOption(new Option("--ca-file <file>", "trust this CA instead of <pki>/ca/ca.crt"))
    .action(async (file: string, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const [leaf, ...chain] = await readCertificates(file);
      const caFile = options.caFile ?? ctx.layout.caCert;
      const { der: root } = await readCertificateFile(caFile, "CA certificate").catch((error: unknown) => {
        throw error instanceof Error && "code" in error && error.code === "cert-missing" && options.caFile === undefined
          ? notFoundError("ca-missing", `no CA in ${ctx.layout.caDir}: pass --ca-file or --pki`)
          : error;
      });
      const result = verifyCertificate(leaf as Buffer, { roots: [root], intermediates: chain, purpose: options.purpose, host: options.host, now: ctx.now });
      if (ctx.output.format === "json") ctx.output.json({ file, ...result });
      else {
        ctx.output.data(result.checks.map((check) => `${check.ok ? "ok  " : "FAIL"}  ${check.name.padEnd(8)}  ${check.detail}`).join("\n"));
        ctx.output.info(result.ok ? `pgwarden: ${file}: verified` : `pgwarden: ${file}: not valid: ${result.reason}`);
      }
      if (!result.ok) throw new ExitSignal(ExitCode.checkFailed);
    });
  return describe(command, {
    description: "Check a certificate as a TLS peer would: it chains to the CA, is valid now, fits the purpose, and names the host. Exit 0 when every check passes, 1 with the reason otherwise.",
    examples: [
      "pgwarden cert verify pki/server/pg-meta-1.crt --purpose server --host 10.10.10.10",
      "pgwarden cert verify ~/.postgresql/postgresql.crt --purpose client",
    ],
  });
}
