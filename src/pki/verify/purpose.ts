import { type CertificateFacts, KU, NS, OID } from "./certificate-facts.js";

export type Purpose = "server" | "client";

/** The `openssl verify -purpose` name of each purpose. */
export const OPENSSL_PURPOSE: Record<Purpose, string> = { server: "sslserver", client: "sslclient" };

const kuReject = (cert: CertificateFacts, bits: number) => cert.keyUsage !== undefined && (cert.keyUsage & bits) === 0;
const nsReject = (cert: CertificateFacts, bits: number) =>
  cert.nsCertType !== undefined && (cert.nsCertType & bits) === 0;
const xkuReject = (cert: CertificateFacts, oids: readonly string[]) =>
  cert.extKeyUsage !== undefined && !cert.extKeyUsage.some((oid) => oids.includes(oid));

/**
 * OpenSSL's check_ca: 0 not a CA; 1 basicConstraints CA:TRUE; 3 a v1 self-signed root;
 * 4 no basicConstraints but key usage with keyCertSign; 5 a Netscape CA type.
 */
export function checkCa(cert: CertificateFacts): number {
  if (kuReject(cert, KU.keyCertSign)) return 0;
  if (cert.basicConstraints) return cert.basicConstraints.ca ? 1 : 0;
  if (cert.version === 0 && cert.selfSigned) return 3;
  if (cert.keyUsage !== undefined) return 4;
  if (cert.nsCertType !== undefined && (cert.nsCertType & NS.anyCa) !== 0) return 5;
  return 0;
}

function checkSslCa(cert: CertificateFacts): number {
  const ca = checkCa(cert);
  if (ca === 0) return 0;
  return ca !== 5 || (cert.nsCertType ?? 0) & NS.sslCa ? ca : 0;
}

/** X509_check_purpose for sslserver / sslclient: 1 fits, 0 does not, other values "a CA of a kind". */
export function checkPurpose(cert: CertificateFacts, purpose: Purpose, requireCa: boolean): number {
  if (purpose === "server") {
    if (xkuReject(cert, [OID.serverAuth, OID.nsSgc, OID.msSgc])) return 0;
    if (requireCa) return checkSslCa(cert);
    if (nsReject(cert, NS.sslServer)) return 0;
    if (kuReject(cert, KU.digitalSignature | KU.keyEncipherment | KU.keyAgreement)) return 0;
    return 1;
  }
  if (xkuReject(cert, [OID.clientAuth])) return 0;
  if (requireCa) return checkSslCa(cert);
  if (kuReject(cert, KU.digitalSignature | KU.keyAgreement)) return 0;
  if (nsReject(cert, NS.sslClient)) return 0;
  return 1;
}

/** Why a certificate does not fit the purpose, in words (for the refusal). */
export function purposeProblem(cert: CertificateFacts, purpose: Purpose, asCa: boolean): string {
  const wanted = purpose === "server" ? "serverAuth" : "clientAuth";
  if (
    cert.extKeyUsage &&
    xkuReject(cert, purpose === "server" ? [OID.serverAuth, OID.nsSgc, OID.msSgc] : [OID.clientAuth])
  ) {
    return `its extended key usage lacks ${wanted}, so it is not usable for TLS ${purpose} authentication`;
  }
  if (asCa) return `it is not a CA that may issue TLS ${purpose} certificates`;
  return `its key usage does not allow TLS ${purpose} authentication`;
}
