import { pkiError } from "../errors.js";
import { decodePemBlocks } from "./pem.js";
import { x509Lib } from "./x509-lib.js";

/**
 * How far a CRL's thisUpdate may lie ahead of our clock: OpenSSL refuses a CRL "not yet
 * valid" with no slack, but the machine that signed it may run a little ahead.
 */
export const CRL_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** One CRL of a file that may be installed: signed by one of the issuers, current, parseable. */
export interface CheckedCrlEntry {
  /** The issuer's subject, as the CRL and the CA certificate both name it. */
  readonly issuer: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly revokedCount: number;
}

/** A CRL file that may be installed as it is: every CRL in it passed. */
export interface CheckedCrl {
  readonly pem: string;
  readonly crls: readonly CheckedCrlEntry[];
}

/** One CA certificate (DER) that may have signed the CRL: today the root; later its intermediates. */
export interface CrlIssuer {
  readonly der: Buffer;
}

function refuse(source: string, reason: string): never {
  throw pkiError("bad-crl", `${source} ${reason}: nothing was installed; make a fresh CRL signed by the CA, or remove ${source} to deploy without one`);
}

/** The `X509 CRL` PEM blocks of a file (one per issuer), or the reason it has none. */
function crlDers(text: string, source: string): Buffer[] {
  if (text.trim().length === 0) refuse(source, "is empty, not a CRL");
  const blocks = decodePemBlocks(text);
  const crls = blocks.filter((block) => block.label === "X509 CRL");
  if (crls.length === 0) {
    const other = blocks[0]?.label;
    refuse(source, other ? `holds a ${other} PEM block, not an X509 CRL` : "is not a PEM CRL (no -----BEGIN X509 CRL----- block)");
  }
  return crls.map((block) => block.der);
}

function sameName(a: ArrayBuffer, b: ArrayBuffer): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/**
 * Checks a CRL file before it is installed, as OpenSSL will when a client presents a
 * certificate (X509_V_ERR_CRL_*): each CRL in it names one of `issuers` as its issuer, that
 * issuer's key verifies its signature, thisUpdate is not in the future (beyond
 * {@link CRL_CLOCK_SKEW_MS}) and nextUpdate, when present, is not past. A CRL that fails
 * any of these makes every certificate login fail once PostgreSQL loads it, so each is
 * a PKI error (exit 7) naming the reason.
 */
export async function checkCrl(text: string, issuers: readonly CrlIssuer[], now: Date, source: string): Promise<CheckedCrl> {
  const ders = crlDers(text, source);
  const crls: CheckedCrlEntry[] = [];
  for (const der of ders) crls.push(await checkOne(der, issuers, now, ders.length > 1 ? `${source} (CRL ${crls.length + 1} of ${ders.length})` : source));
  // Installed as written: the bytes that were checked are the bytes PostgreSQL reads.
  return { pem: text, crls };
}

async function checkOne(der: Buffer, issuers: readonly CrlIssuer[], now: Date, source: string): Promise<CheckedCrlEntry> {
  const x509 = x509Lib();
  let crl: InstanceType<typeof x509.X509Crl>;
  try {
    crl = new x509.X509Crl(der);
    // Read what the checks below need now, so a malformed body fails here with this message.
    void crl.issuerName.toArrayBuffer();
    void crl.thisUpdate;
  } catch {
    refuse(source, "cannot be parsed as an X.509 CRL (truncated or corrupt)");
  }
  const candidates = issuers.map((issuer) => new x509.X509Certificate(issuer.der));
  // Several CAs may share a name (a rotated root): the CRL is theirs if any one's key verifies it.
  const named = candidates.filter((candidate) => sameName(candidate.subjectName.toArrayBuffer(), crl.issuerName.toArrayBuffer()));
  if (named.length === 0) {
    refuse(source, `was issued by "${crl.issuer}", not by this PKI's CA ("${candidates.map((candidate) => candidate.subject).join('", "')}")`);
  }
  let signed = false;
  for (const issuer of named) signed ||= await crl.verify({ publicKey: issuer }).catch(() => false);
  if (!signed) {
    refuse(source, `names "${crl.issuer}" as its issuer, but its signature does not verify with that CA's key (signed by another CA of the same name?)`);
  }
  if (crl.thisUpdate.getTime() > now.getTime() + CRL_CLOCK_SKEW_MS) {
    refuse(source, `is not valid yet (thisUpdate ${crl.thisUpdate.toISOString()}, now ${now.toISOString()}): is this machine's clock or the signer's wrong?`);
  }
  const nextUpdate = crl.nextUpdate;
  if (nextUpdate && nextUpdate.getTime() <= now.getTime()) {
    refuse(source, `expired on ${nextUpdate.toISOString()} (its nextUpdate), so OpenSSL would refuse every client certificate with "CRL has expired"`);
  }
  return { issuer: crl.issuer, thisUpdate: crl.thisUpdate, nextUpdate, revokedCount: crl.entries.length };
}
