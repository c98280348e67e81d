import { Command } from "commander";

import { retireCa } from "../../../pki/authority/ca-retire.js";
import { contextOf } from "../../context.js";
import { describe } from "../../help.js";
import { keyValueLines } from "../../render.js";

export function caRetireCommand(): Command {
  const command = new Command("retire")
    .argument("<old>", "the rotated CA (root or intermediate): its CN, or 8+ hex digits of its key id or fingerprint")
    .action(async (old: string, _options: object, cmd: Command) => {
      const ctx = contextOf(cmd);
      const result = await retireCa(ctx.layout, old, ctx.now);
      if (ctx.output.format === "json") {
        ctx.output.json(result);
        return;
      }
      ctx.output.info(
        `pgwarden: retired ${result.subject}${result.combinedCrlPath ? ` (its CRL left ${result.combinedCrlPath})` : ""}; run pgwarden pg tls --reload and pgwarden cert export again so servers and clients stop trusting it`,
      );
      ctx.output.data(
        keyValueLines([
          ["retired", result.subject],
          ["key id", result.keyId],
          ["moved to", result.certPath],
        ]),
      );
    });
  return describe(command, {
    description: `Stop trusting a root or an intermediate that ca rotate replaced: it leaves the trust bundles pgwarden
writes (cert export's root.crt, pg tls's ssl_ca_file) and crl/combined.crl (rewritten at once). Refused (exit 1),
listing them, while a certificate it signed is still in the PKI, not expired and not revoked: renew those first
(pgwarden cert renew --all); for a root, an intermediate it signed that is still trusted (current, or rotated and
not retired) is one too: rotate it (ca rotate --intermediate NAME) and retire the old one first. Its key,
certificate and anchor twin move to ca/retired/, never deleted. Unknown or ambiguous names: exit 4 and 2, with the rotated CAs listed.`,
    examples: [
      "pgwarden ca retire pgwarden-ca",
      "pgwarden ca retire 3f9a2c1b --pki ./pki",
      "pgwarden ca retire pgwarden-ca-client --format json",
    ],
  });
}
