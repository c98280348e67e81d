import { Command, Option } from "commander";

import { readCertificateFile } from "../../../pki/authority/certificate-authority.js";
import {
  detectTrustOs,
  installTrust,
  parseTrustOs,
  type TrustOs,
  trustPlan,
  trustScript,
} from "../../../pki/trust/trust-store.js";
import { type CommandContext, contextOf } from "../../context.js";
import { describe } from "../../help.js";
import type { Noun } from "../../noun.js";
import { keyValueLines } from "../../render.js";

interface Options {
  os?: string;
  root?: string;
  update: boolean;
}

const osOption = () =>
  new Option("--os <family>", "debian (Debian, Ubuntu) or el (RHEL and kin); default: read /etc/os-release");
const rootOption = () =>
  new Option("--root <dir>", "prefix every system path with this directory (for images and tests)");

async function planFor(ctx: CommandContext, options: Options) {
  const root = options.root ?? "/";
  const os: TrustOs = options.os === undefined ? await detectTrustOs(root) : parseTrustOs(options.os);
  const { pem } = await readCertificateFile(ctx.layout.caCert, "CA certificate");
  return { plan: trustPlan(os, root), pem };
}

function trustPrintCommand(): Command {
  const command = new Command("print")
    .addOption(osOption())
    .addOption(rootOption())
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { plan, pem } = await planFor(ctx, options);
      if (ctx.output.format === "json") ctx.output.json({ ...plan, script: trustScript(plan, pem) });
      else ctx.output.data(trustScript(plan, pem));
    });
  return describe(command, {
    description:
      "Print the shell commands that put the CA into this OS family's trust store (what `trust install` does), for a playbook or a person.",
    examples: ["pgwarden trust print --os el", "pgwarden trust print --os debian > trust-ca.sh"],
  });
}

function trustInstallCommand(): Command {
  const command = new Command("install")
    .addOption(osOption())
    .addOption(rootOption())
    .addOption(new Option("--no-update", "place the files but do not run update-ca-certificates / update-ca-trust"))
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { plan, pem } = await planFor(ctx, options);
      const result = await installTrust(plan, pem, options.update && options.root === undefined);
      if (ctx.output.format === "json") {
        ctx.output.json(result);
        return;
      }
      ctx.output.data(
        keyValueLines([
          ["CA copied to", plan.caPath],
          ["trust anchor", `${plan.anchorPath} -> ${plan.caPath}`],
          [
            "trust bundle",
            result.updated
              ? `rebuilt with ${plan.updateCommand.join(" ")}`
              : `not rebuilt: run ${plan.updateCommand.join(" ")}`,
          ],
        ]),
      );
    });
  return describe(command, {
    description: `Trust the CA system-wide, as Pigsty does: copy ca.crt to /etc/pki/ca.crt, link it into the OS trust
directory (Debian: /usr/local/share/ca-certificates, EL: /etc/pki/ca-trust/source/anchors) and rebuild the
bundle. With --root every path is under that directory and the bundle is not rebuilt.`,
    examples: ["sudo pgwarden trust install", "pgwarden trust install --os el --root ./image-root"],
  });
}

export const trustNoun: Noun = {
  command: () =>
    new Command("trust")
      .summary("put the CA into the system trust store")
      .description("Make the operating system trust the local CA (Debian and EL families)."),
  verbs: {
    print: () => Promise.resolve(trustPrintCommand()),
    install: () => Promise.resolve(trustInstallCommand()),
  },
};
