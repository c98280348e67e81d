import type { PkiLayout } from "../pki-layout.js";

/** What became of the CRLs after `cert renew --revoke-old` recorded its revocations. */
export interface CrlRegeneration {
  /** True when the CRLs of the issuers concerned were written again. */
  readonly regenerated: boolean;
  /** One line for the person: what was written, or what is still to do. */
  readonly note: string;
}

/**
 * The one step `cert renew --revoke-old` takes after recording revocations: regenerate the CRLs
 * of `issuerNames`. CRL writing is not part of this branch yet, so the revocations stand
 * recorded and the note says the CRL still has to be written.
 */
export async function regenerateCrlsAfterRevoking(
  layout: PkiLayout,
  issuerNames: readonly string[],
): Promise<CrlRegeneration> {
  await Promise.resolve();
  return {
    regenerated: false,
    note: `revocations recorded in ${layout.revocationsDir}; the CRL of ${issuerNames.join(", ")} is not regenerated yet: run pgwarden crl when it is available`,
  };
}
