import { Command } from "commander";

import { parseProfile } from "../../../pki/issuing/profiles.js";
import { signCertificateRequest } from "../../../pki/issuing/sign-csr.js";
import { DEFAULT_LEAF_VALIDITY_DAYS } from "../../../pki/issuing/validity.js";
import { contextOf } from "../../context.js";
import {
  allowWildcardOption,
  daysOption,
  forceOption,
  groupOption,
  insecureOption,
  noCnSanOption,
  passphraseFileOption,
  profileOption,
  sanOption,
} from "../../flags.js";
import { describe } from "../../help.js";
import { issuedJson, issuedText, issuerOption, loadSigningCa } from "./common.js";

interface Options {
  profile: string;
  san: string[];
  days?: number;
  group?: string;
  allowWildcard?: boolean;
  cnSan: boolean;
  force?: boolean;
  insecure?: boolean;
  issuer?: string;
}

export function certSignCommand(): Command {
  const command = new Command("sign")
    .argument("<csr-file>", "a PKCS#10 certificate request (PEM)")
    .addOption(profileOption())
    .addOption(sanOption())
    .addOption(daysOption(DEFAULT_LEAF_VALIDITY_DAYS))
    .addOption(groupOption())
    .addOption(allowWildcardOption())
    .addOption(noCnSanOption())
    .addOption(forceOption())
    .addOption(issuerOption())
    .addOption(passphraseFileOption())
    .addOption(insecureOption())
    .action(async (csrFile: string, options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      const profile = parseProfile(options.profile);
      const ca = await loadSigningCa(ctx, options.insecure, { profile: profile.name, issuer: options.issuer });
      const result = await signCertificateRequest(
        ctx.layout,
        ca,
        csrFile,
        {
          profile,
          subjectAltNames: options.san,
          days: options.days,
          group: options.group,
          allowWildcard: options.allowWildcard ?? false,
          cnAsSan: options.cnSan,
          force: options.force ?? false,
        },
        ctx.now,
      );
      result.warnings.forEach((warning) => ctx.output.warn(warning));
      if (ctx.output.format === "json") ctx.output.json(issuedJson(result));
      else ctx.output.data(issuedText(result));
    });
  return describe(command, {
    description: `Sign a certificate request made elsewhere (the key never leaves its owner).
The request's signature is checked; its CN and requested SANs are validated and kept, and for a
server or peer certificate the CN is added to the SANs (libpq ignores the CN once a SAN of the host's
type is there, so host=<cn> would fail verify-full; --no-cn-san leaves it out); key usage
and extended key usage come from --profile only, and a request for a CA certificate is refused.
Refused with exit 7: an RSA key below 2048 bits (libpq rejects it: "ee key too small"), the CA's
own key, a key type pgwarden does not support (e.g. secp256k1, Ed448: "unsupported key type"; use
ec-p256, ec-p384, ed25519 or RSA 2048+), a request whose signature does not verify ("forged"), and
any CA that is expired, not yet valid or otherwise unusable (see ca init --help). The certificate is
never valid before the CA (notBefore is raised to the CA's) nor after it (notAfter is cut back).
--force replaces a certificate of the same name, keeping the old one as <name>.crt.<time>.bak; a
key file of that name which is not the new certificate's key (left by cert issue) is moved to
<name>.key.<time>.bak (0600), so no certificate is left beside a key that does not match it.
With intermediates, the one named as the profile signs (peer: peer, else server; --issuer NAME picks
another, ca = the root) and <name>.fullchain.crt (leaf, then intermediate) is written beside <name>.crt.`,
    examples: [
      "pgwarden cert sign app.csr --profile client",
      "pgwarden cert sign pg-1.csr --profile server --san 10.10.10.10 --days 365",
      "pgwarden cert sign vm.csr --profile server --force",
      "pgwarden cert sign app.csr --profile client --issuer client",
      "pgwarden cert sign lb.csr --profile server --san db.example.com --no-cn-san   # CN 'load balancer' is no host name",
      "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout app.key -subj /CN=app -out app.csr",
    ],
  });
}
