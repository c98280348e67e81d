import { createPublicKey, type KeyObject } from "node:crypto";
import { access } from "node:fs/promises";

import { notFoundError, pkiError } from "../../core/errors.js";
import { readCertificateFile } from "../authority/certificate-authority.js";
import type { IssuerFiles } from "../authority/issuers.js";
import { subjectKeyIdentifier } from "../encoding/certificate-der.js";
import { readPrivateKeyFile } from "../keys/key-file.js";
import { certificateFacts, KU } from "../verify/certificate-facts.js";
import { certificateSubjectDer } from "./crl-der.js";

/** An issuer ready to sign its CRL: its files, certificate, key and the names a CRL copies from it. */
export interface CrlSigner {
  readonly files: IssuerFiles;
  readonly certDer: Buffer;
  readonly key: KeyObject;
  /** Its subject, DER, the CRL's issuer field byte for byte. */
  readonly subjectDer: Buffer;
  /** Its subject key identifier, the CRL's authority key identifier. */
  readonly keyId: Buffer;
  readonly notAfter: Date;
}

/** How to read issuer keys: the passphrase (one for every CA key of the PKI) and whether a readable key is accepted. */
export interface IssuerKeyOptions {
  readonly passphrase?: string | undefined;
  readonly insecure?: boolean;
  readonly onWarning?: (message: string) => void;
}

/**
 * Loads an issuer for signing CRLs, refusing (exit 7) a key that is not the certificate's and a
 * certificate whose key usage lacks cRLSign (OpenSSL would refuse its CRLs, and with them every
 * certificate it issued); a missing key is exit 4.
 */
export async function loadCrlSigner(files: IssuerFiles, options: IssuerKeyOptions = {}): Promise<CrlSigner> {
  const { der } = await readCertificateFile(files.certPath, `issuer ${files.name} certificate`);
  await access(files.keyPath).catch(() => {
    throw notFoundError(
      "issuer-key-missing",
      `issuer ${files.name}: its key ${files.keyPath} is missing, so pgwarden cannot sign its CRL: restore the key`,
    );
  });
  const key = await readPrivateKeyFile(files.keyPath, {
    label: `issuer ${files.name} key`,
    passphrase: options.passphrase,
    insecure: options.insecure ?? false,
    onWarning: options.onWarning,
  });
  const facts = certificateFacts(der);
  if (!facts.node.checkPrivateKey(key))
    throw pkiError("ca-mismatch", `${files.certPath} was not made from ${files.keyPath}: restore the matching pair`);
  if (facts.keyUsage !== undefined && (facts.keyUsage & KU.cRLSign) === 0)
    throw pkiError(
      "no-crl-sign",
      `${files.certPath} has no cRLSign key usage, so OpenSSL would refuse every CRL it signs: re-issue the CA with cRLSign`,
    );
  return {
    files,
    certDer: der,
    key,
    subjectDer: certificateSubjectDer(der),
    keyId: facts.subjectKeyId ?? Buffer.from(subjectKeyIdentifier(createPublicKey(key))),
    notAfter: new Date(facts.notAfter * 1000),
  };
}
