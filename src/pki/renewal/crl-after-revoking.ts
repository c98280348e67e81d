import type { PkiLayout } from "../pki-layout.js";
import type { IssuerKeyOptions } from "../revocation/crl-signer.js";
import { writeCrls } from "../revocation/crl-writer.js";

/** What became of the CRLs after `cert renew --revoke-old` recorded its revocations. */
export interface CrlRegeneration {
  /** True when the CRLs of the issuers concerned were written again. */
  readonly regenerated: boolean;
  /** One line for the person: what was written, or what is still to do. */
  readonly note: string;
}

/**
 * The one step `cert renew --revoke-old` takes after recording revocations: the CRLs of
 * `issuerNames` written again (and the combined file servers install), as `cert revoke` does.
 */
export async function regenerateCrlsAfterRevoking(
  layout: PkiLayout,
  issuerNames: readonly string[],
  keys: IssuerKeyOptions & { readonly now?: Date },
): Promise<CrlRegeneration> {
  const written = await writeCrls(layout, { ...keys, only: issuerNames });
  const files = written.crls.map((crl) => `${crl.path} (number ${crl.number}, ${crl.entries} entries)`).join(", ");
  return {
    regenerated: true,
    note: `CRLs written: ${files}; install ${written.combinedPath} on the servers (pgwarden pg tls --reload)`,
  };
}
