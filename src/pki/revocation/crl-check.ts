import { pkiError } from "../../core/errors.js";
import { decodePemBlocks } from "../encoding/pem.js";
import { certificateFacts } from "../verify/certificate-facts.js";
import { children, parseNode } from "../verify/der-walk.js";
import { nameText, sameName } from "../verify/distinguished-name.js";
import { crlSignedBy, parseRevocationList, type RevocationList } from "../verify/revocation-list.js";

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
  throw pkiError(
    "bad-crl",
    `${source} ${reason}: nothing was installed; make a fresh CRL signed by the CA, or remove ${source} to deploy without one`,
  );
}

/** The `X509 CRL` PEM blocks of a file (one per issuer), or the reason it has none. */
function crlDers(text: string, source: string): Buffer[] {
  if (text.trim().length === 0) refuse(source, "is empty, not a CRL");
  const blocks = decodePemBlocks(text);
  const crls = blocks.filter((block) => block.label === "X509 CRL");
  if (crls.length === 0) {
    const other = blocks[0]?.label;
    refuse(
      source,
      other ? `holds a ${other} PEM block, not an X509 CRL` : "is not a PEM CRL (no -----BEGIN X509 CRL----- block)",
    );
  }
  // PostgreSQL loads ssl_crl_file with X509_load_cert_crl_file, which adds a CERTIFICATE block to its trust store too.
  const stray = blocks.find((block) => block.label !== "X509 CRL");
  if (stray)
    refuse(
      source,
      `holds a ${stray.label} PEM block besides its CRL, which PostgreSQL would load too (a certificate would join its trust store)`,
    );
  return crls.map((block) => block.der);
}

/**
 * Checks a CRL file before it is installed, with the same CRL parser and signature check
 * as `cert verify` (verify/revocation-list.ts), as OpenSSL will when a client presents a
 * certificate (X509_V_ERR_CRL_*): each CRL in it names one of `issuers` as its issuer, that
 * issuer's key verifies its signature, thisUpdate is not in the future (beyond
 * {@link CRL_CLOCK_SKEW_MS}) and nextUpdate, when present, is not past. A CRL that fails
 * any of these makes every certificate login fail once PostgreSQL loads it, so each is
 * a PKI error (exit 7) naming the reason. So is a CRL that is not a full CRL of the CA
 * (an unhandled critical extension, a delta, a distribution-point scope: see scopeProblem),
 * and any PEM block in the file that is not an X509 CRL.
 */
export function checkCrl(text: string, issuers: readonly CrlIssuer[], now: Date, source: string): Promise<CheckedCrl> {
  // A promise for its callers, as when the signature check was asynchronous; the checks run synchronously.
  return Promise.resolve().then(() => checkCrlText(text, issuers, now, source));
}

function checkCrlText(text: string, issuers: readonly CrlIssuer[], now: Date, source: string): CheckedCrl {
  const ders = crlDers(text, source);
  const crls: CheckedCrlEntry[] = [];
  for (const der of ders)
    crls.push(
      checkOne(der, issuers, now, ders.length > 1 ? `${source} (CRL ${crls.length + 1} of ${ders.length})` : source),
    );
  // Installed as written: the bytes that were checked are the bytes PostgreSQL reads.
  return { pem: text, crls };
}

function checkOne(der: Buffer, issuers: readonly CrlIssuer[], now: Date, source: string): CheckedCrlEntry {
  let crl: RevocationList;
  try {
    crl = parseRevocationList(der);
  } catch {
    refuse(source, "cannot be parsed as an X.509 CRL (truncated or corrupt)");
  }
  const candidates = issuers.map((issuer) => certificateFacts(issuer.der));
  const issuerText = nameText(crl.issuer);
  // Several CAs may share a name (a rotated root): the CRL is theirs if any one's key verifies it.
  const named = candidates.filter((candidate) => sameName(candidate.subject, crl.issuer));
  if (named.length === 0) {
    refuse(
      source,
      `was issued by "${issuerText}", not by this PKI's CA ("${candidates.map((candidate) => nameText(candidate.subject)).join('", "')}")`,
    );
  }
  if (!named.some((issuer) => crlSignedBy(crl, issuer))) {
    refuse(
      source,
      `names "${issuerText}" as its issuer, but its signature does not verify with that CA's key (signed by another CA of the same name?)`,
    );
  }
  const thisUpdate = new Date(crl.thisUpdate * 1000);
  if (thisUpdate.getTime() > now.getTime() + CRL_CLOCK_SKEW_MS) {
    refuse(
      source,
      `is not valid yet (thisUpdate ${thisUpdate.toISOString()}, now ${now.toISOString()}): is this machine's clock or the signer's wrong?`,
    );
  }
  const nextUpdate = crl.nextUpdate === undefined ? undefined : new Date(crl.nextUpdate * 1000);
  if (nextUpdate && nextUpdate.getTime() <= now.getTime()) {
    refuse(
      source,
      `expired on ${nextUpdate.toISOString()} (its nextUpdate), so OpenSSL would refuse every client certificate with "CRL has expired"`,
    );
  }
  const scope = scopeProblem(crl);
  if (scope) refuse(source, scope);
  return { issuer: issuerText, thisUpdate, nextUpdate, revokedCount: crl.revoked.size };
}

/** Names of the CRL extensions a refusal may meet, for the message. */
const EXTENSION_NAMES: Readonly<Record<string, string>> = {
  "2.5.29.20": "cRLNumber",
  "2.5.29.21": "reasonCode",
  "2.5.29.24": "invalidityDate",
  "2.5.29.29": "certificateIssuer",
  "2.5.29.46": "freshestCRL",
};

/** The issuingDistributionPoint fields (context tags) that narrow a CRL below "every certificate of the CA". */
const IDP_SCOPE_FIELDS: Readonly<Record<number, string>> = {
  0: 'a distributionPoint name (OpenSSL then wants the same name in each certificate\'s cRLDistributionPoints: "different CRL scope")',
  2: 'onlyContainsCACerts (OpenSSL then has no CRL for a client certificate: "different CRL scope")',
  3: 'onlySomeReasons (OpenSSL then has no complete CRL: "unable to get certificate CRL")',
  4: 'indirectCRL (OpenSSL then has no CRL for the CA\'s certificates: "unable to get certificate CRL")',
  5: "onlyContainsAttributeCerts (it covers no client certificate)",
};

/**
 * Why the CRL does not cover every certificate of the CA the way PostgreSQL's OpenSSL uses it,
 * or undefined. pgwarden installs only full CRLs of the CA: an unhandled critical extension makes
 * OpenSSL refuse every certificate, a distribution-point scope leaves client certificates without
 * a CRL (refused too), and a delta CRL, which OpenSSL in PostgreSQL takes for a full one, lacks
 * every revocation its base CRL holds. onlyContainsUserCerts alone is fine: all leaves are users.
 */
function scopeProblem(parsed: RevocationList): string | undefined {
  const unhandled = parsed.unhandledCriticalExtension;
  if (unhandled) {
    const name = EXTENSION_NAMES[unhandled.oid] ?? unhandled.oid;
    const where = unhandled.on === "crl" ? "CRL extension" : "extension on a revoked entry";
    return `has a critical ${where} ${name} that OpenSSL does not handle, so it would refuse every client certificate ("unhandled critical CRL extension")`;
  }
  if (parsed.isDelta) {
    return (
      "is a delta CRL (deltaCRLIndicator): installed alone it lacks every revocation of its base CRL, " +
      "so revoked certificates would get in; install the full CRL"
    );
  }
  if (parsed.issuingDistributionPoint) {
    for (const field of children(parseNode(parsed.issuingDistributionPoint))) {
      const what = IDP_SCOPE_FIELDS[field.tag & 0x1f];
      if (what)
        return `has an issuingDistributionPoint with ${what}; pgwarden installs only full CRLs of the CA, with no distribution point scope`;
    }
  }
  return undefined;
}
