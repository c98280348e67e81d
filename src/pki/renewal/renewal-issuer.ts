import { pkiError } from "../../core/errors.js";
import { type CertificateAuthority, loadCa, type LoadCaOptions } from "../authority/certificate-authority.js";
import { ROOT_ISSUER } from "../authority/issuers.js";
import type { PkiLayout } from "../pki-layout.js";

/**
 * The issuer a renewal signs with, by the record's issuer name (`recordIssuerName`): the one
 * place `cert renew` loads a CA. Only the root ("ca") signs today; an intermediate's name is a
 * PKI failure (exit 7) until intermediates can be loaded for signing.
 */
export async function loadRenewalIssuer(
  layout: PkiLayout,
  issuerName: string,
  options: LoadCaOptions = {},
): Promise<CertificateAuthority> {
  if (issuerName !== ROOT_ISSUER)
    throw pkiError(
      "issuer-not-supported",
      `renewing certificates of the intermediate "${issuerName}" is not supported yet: only the root CA ("ca") renews`,
    );
  return loadCa(layout, options);
}
