import "reflect-metadata";

import { webcrypto } from "node:crypto";

import * as x509 from "@peculiar/x509";

let providerSet = false;

/**
 * @peculiar/x509, with Node's WebCrypto as its provider. The provider is set on first
 * use rather than at import time, so importing pgwarden has no side effects.
 */
export function x509Lib(): typeof x509 {
  if (!providerSet) {
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    providerSet = true;
  }
  return x509;
}
