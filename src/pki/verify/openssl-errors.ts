/**
 * The OpenSSL 3.0 verify errors pgwarden can report, with OpenSSL's own words
 * (X509_verify_cert_error_string), so a refusal reads like `openssl verify` and can be
 * looked up.
 */
export const X509_V_ERR = {
  unableToGetIssuerCert: [2, "unable to get issuer certificate"],
  unableToGetCrl: [3, "unable to get certificate CRL"],
  certSignatureFailure: [7, "certificate signature failure"],
  crlSignatureFailure: [8, "CRL signature failure"],
  certNotYetValid: [9, "certificate is not yet valid"],
  certHasExpired: [10, "certificate has expired"],
  crlNotYetValid: [11, "CRL is not yet valid"],
  crlHasExpired: [12, "CRL has expired"],
  depthZeroSelfSigned: [18, "self-signed certificate"],
  selfSignedInChain: [19, "self-signed certificate in certificate chain"],
  unableToGetIssuerCertLocally: [20, "unable to get local issuer certificate"],
  certRevoked: [23, "certificate revoked"],
  invalidCa: [79, "invalid CA certificate"],
  pathLengthExceeded: [25, "path length constraint exceeded"],
  invalidPurpose: [26, "unsuitable certificate purpose"],
  keyUsageNoCertSign: [32, "key usage does not include certificate signing"],
  unableToGetCrlIssuer: [33, "unable to get CRL issuer certificate"],
  unhandledCriticalExtension: [34, "unhandled critical extension"],
  keyUsageNoCrlSign: [35, "key usage does not include CRL signing"],
  unhandledCriticalCrlExtension: [36, "unhandled critical CRL extension"],
  permittedViolation: [47, "permitted subtree violation"],
  excludedViolation: [48, "excluded subtree violation"],
  subtreeMinMax: [49, "name constraints minimum and maximum not supported"],
  unsupportedConstraintType: [51, "unsupported name constraint type"],
  unsupportedNameSyntax: [53, "unsupported or invalid name syntax"],
  pathlenInvalidForNonCa: [80, "Path length invalid for non-CA cert"],
  pathlenWithoutKuKeyCertSign: [81, "Path length given without key usage keyCertSign"],
  kuKeyCertSignInvalidForNonCa: [82, "Key usage keyCertSign invalid for non-CA cert"],
  issuerNameEmpty: [83, "Issuer name empty"],
  subjectNameEmpty: [84, "Subject name empty"],
  missingAuthorityKeyIdentifier: [85, "Missing Authority Key Identifier"],
  missingSubjectKeyIdentifier: [86, "Missing Subject Key Identifier"],
  emptySubjectAltName: [87, "Empty Subject Alternative Name extension"],
  caBconsNotCritical: [89, "Basic Constraints of CA cert not marked critical"],
  emptySubjectSanNotCritical: [88, "Subject empty and Subject Alt Name extension not critical"],
  authorityKeyIdentifierCritical: [90, "Authority Key Identifier marked critical"],
  subjectKeyIdentifierCritical: [91, "Subject Key Identifier marked critical"],
  caCertMissingKeyUsage: [92, "CA cert does not include key usage extension"],
  extensionsRequireVersion3: [93, "Using cert extension requires at least X509v3"],
  signatureAlgorithmInconsistency: [78, "cert info signature and signature algorithm mismatch"],
} as const satisfies Record<string, readonly [number, string]>;

export type VerifyErrorName = keyof typeof X509_V_ERR;
