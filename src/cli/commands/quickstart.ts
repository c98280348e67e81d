import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { runPkiQuickstart } from "../../quickstart/pki-quickstart.js";
import { contextOf } from "../context.js";
import { ExitCode } from "../../errors.js";
import { ExitSignal } from "../exit-signal.js";
import { describe } from "../help.js";

export function quickstartCommand(): Command {
  const command = new Command("quickstart")
    .addOption(new Option("--dir <dir>", "where to work (default: a new temporary directory)"))
    .action(async (options: { dir?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dir = options.dir ? resolve(options.dir) : await mkdtemp(join(tmpdir(), "pgwarden-quickstart-"));
      const result = await runPkiQuickstart(dir, ctx.now);
      const ok = result.certificates.every((cert) => cert.verification.ok);
      if (ctx.output.format === "json") ctx.output.json({ dir, ...result });
      else {
        const lines = [
          `pgwarden quickstart in ${dir}`,
          "",
          `CA (${result.ca.action}): ${result.layout.caCert}`,
          `  ${result.ca.info.subject}, ${result.ca.info.keyType}, until ${result.ca.info.notAfter} (${result.ca.info.daysLeft} days)`,
          `  sha256 ${result.ca.info.fingerprintSha256}`,
          ...result.certificates.flatMap((cert) => [
            "",
            `${cert.profile} certificate (${cert.action}): ${cert.certPath}`,
            `  key ${cert.keyPath} (0600)`,
            `  ${cert.info.subject}${cert.info.subjectAltNames.length ? `, SANs ${cert.info.subjectAltNames.map((san) => san.value).join(", ")}` : ""}`,
            `  serial ${cert.info.serial}, until ${cert.info.notAfter}`,
            `  ${cert.verification.ok ? "verified" : `NOT VERIFIED: ${cert.verification.reason}`}: ${cert.verification.checks.map((check) => check.detail).join("; ")}`,
          ]),
          "",
          "Check them with OpenSSL:",
          ...result.certificates.map(
            (cert) => `  openssl verify -x509_strict -purpose ${cert.profile === "client" ? "sslclient" : "sslserver"} -CAfile ${result.layout.caCert} ${cert.certPath}`,
          ),
        ];
        ctx.output.data(lines.join("\n"));
      }
      if (!ok) throw new ExitSignal(ExitCode.pki);
    });
  return describe(command, {
    summary: "the main job end to end: CA, server and client certificates, verified",
    description: `The main job, end to end: create a CA, issue a server certificate for loopback and a client
certificate for the role dbuser_dba, verify both, and print what was made. Running it again with the same
--dir keeps what exists.`,
    examples: ["pgwarden quickstart", "pgwarden quickstart --dir ./demo"],
  });
}
