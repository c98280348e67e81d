import { Command } from "commander";

import { ExitCode } from "../../../core/errors.js";
import { sandboxStatus } from "../../../pg/sandbox.js";
import { trustedRootsFile, trustedRootsPem } from "../../../pki/authority/trust-anchors.js";
import { daysUntil } from "../../../pki/issuing/validity.js";
import { contextOf } from "../../context.js";
import { ExitSignal } from "../../exit-signal.js";
import { describe } from "../../help.js";
import { probeJson } from "../../json-view.js";
import { keyValueLines } from "../../render.js";
import { defaultSandboxDir, SANDBOX_PKI_HELP, sandboxDirOption, sandboxLayout } from "./common.js";

export function sandboxStatusCommand(): Command {
  const command = new Command("status")
    .addOption(sandboxDirOption())
    .action(async (options: { dir?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dir = options.dir ?? defaultSandboxDir(ctx.env);
      const layout = await sandboxLayout(cmd, ctx, dir, { sandboxRequired: true });
      // During a CA rotation, the new root and the old ones: the server's certificate of either generation verifies.
      const caPem = await trustedRootsPem(layout);
      const rootsPath = trustedRootsFile(layout);
      const status = await sandboxStatus(dir, caPem);
      const { probe } = status;
      const healthy = status.running && probe?.tls === true && probe.verified === true;
      if (ctx.output.format === "json")
        ctx.output.json({ state: status.state, running: status.running, probe: probeJson(probe), healthy });
      else {
        ctx.output.data(
          keyValueLines([
            ["sandbox", status.state.dir],
            ["server", status.running ? `running on 127.0.0.1:${status.state.port}` : "stopped"],
            [
              "TLS",
              probe ? (probe.tls ? `${probe.protocol}, ${probe.cipher}` : "OFF: the server refused TLS") : undefined,
            ],
            ["certificate", probe?.subject ? `${probe.subject}, sha256 ${probe.fingerprintSha256}` : undefined],
            [
              "expires",
              probe?.notAfter
                ? `${probe.notAfter.toISOString()} (${daysUntil(probe.notAfter, ctx.now)} days)`
                : undefined,
            ],
            [
              "verified",
              probe?.tls
                ? probe.verified
                  ? `chain to the pgwarden CA ${rootsPath}, name localhost`
                  : `NO: ${probe.verifyError}`
                : undefined,
            ],
          ]),
        );
      }
      if (!healthy) throw new ExitSignal(ExitCode.checkFailed);
    });
  return describe(command, {
    summary: "is the sandbox running, and what TLS does it really serve",
    description: `Show whether the sandbox runs and prove its TLS from a real handshake: protocol, cipher, the certificate
served and its expiry, verified against the pgwarden CA for localhost. Exit 1 when it is stopped or its TLS
does not verify. ${SANDBOX_PKI_HELP}`,
    examples: [
      "pgwarden sandbox status",
      "pgwarden sandbox status --dir /tmp/pgwarden-quickstart/sandbox   # from any directory, no --pki",
      "pgwarden sandbox status --dir /tmp/sb2 --format json",
    ],
  });
}
