import { akidAllows, type CertificateFacts, KU, signatureFitsKey } from "./certificate-facts.js";
import { nameText, sameName } from "./distinguished-name.js";
import { GEN_DNS } from "./general-name.js";
import { checkCommonNameConstraints, checkNameConstraints } from "./name-constraints.js";
import { type VerifyErrorName, X509_V_ERR } from "./openssl-errors.js";
import { checkCa, checkPurpose, type Purpose, purposeProblem } from "./purpose.js";
import {
  crlSignedBy,
  crlTimeProblem,
  findCrl,
  REASON_REMOVE_FROM_CRL,
  type RevocationList,
  serialKey,
} from "./revocation-list.js";

/** The stages of OpenSSL's verify_chain, in its order. */
export type PathStage =
  "chain" | "extensions" | "purpose" | "revocation" | "signature" | "validity" | "name-constraints";

export interface PathFailure {
  readonly stage: PathStage;
  readonly error: VerifyErrorName;
  /** OpenSSL's error number and words (`openssl verify` prints `error N at D depth lookup: words`). */
  readonly code: number;
  readonly text: string;
  /** 0 the leaf, 1 its issuer, ... */
  readonly depth: number;
  readonly subject: string;
  /** pgwarden's explanation beyond OpenSSL's words. */
  readonly detail?: string;
}

export interface PathOptions {
  /** Trust anchors (every certificate of the CA file). */
  readonly trusted: readonly CertificateFacts[];
  /** Certificates that may complete the path (the leaf file's extra certificates, --untrusted). */
  readonly untrusted: readonly CertificateFacts[];
  /** CRLs: when given, every certificate of the path is checked (libpq's CRL_CHECK | CRL_CHECK_ALL). */
  readonly crls?: readonly RevocationList[];
  readonly purpose?: Purpose;
  /** X509_V_FLAG_X509_STRICT, as `openssl verify -x509_strict` (default true); libssl clients such as libpq do not set it. */
  readonly strict?: boolean;
  /** Seconds since the epoch. */
  readonly now: number;
}

export interface PathValidation {
  /** The path found, leaf first, trust anchor last (as far as it was built). */
  readonly chain: readonly CertificateFacts[];
  /** Stages that passed, in order. */
  readonly passed: readonly PathStage[];
  readonly failure?: PathFailure;
}

class Refusal extends Error {
  constructor(readonly failure: PathFailure) {
    super(failure.text);
  }
}

function refuse(
  stage: PathStage,
  error: VerifyErrorName,
  depth: number,
  cert: CertificateFacts,
  detail?: string,
): never {
  const [code, text] = X509_V_ERR[error];
  throw new Refusal({ stage, error, code, text, depth, subject: nameText(cert.subject), detail });
}

const timeOk = (cert: CertificateFacts, now: number) => cert.notBefore <= now && now < cert.notAfter;

/** ossl_x509_likely_issued: names chain, the AKI fits, the signature algorithm suits the key. */
function likelyIssued(issuer: CertificateFacts, subject: CertificateFacts): boolean {
  return (
    sameName(issuer.subject, subject.issuer) &&
    akidAllows(issuer, subject.authorityKeyId) &&
    signatureFitsKey(issuer, subject)
  );
}

/** get0_best_issuer_sk: the first candidate valid now, else the one that expires last. */
function bestIssuer(
  candidates: readonly CertificateFacts[],
  chain: readonly CertificateFacts[],
  cert: CertificateFacts,
  now: number,
): CertificateFacts | undefined {
  let fallback: CertificateFacts | undefined;
  for (const candidate of candidates) {
    const allowDuplicate = cert.selfIssued && chain.length === 1;
    if (!allowDuplicate && chain.some((member) => member.der.equals(candidate.der))) continue;
    if (!likelyIssued(candidate, cert)) continue;
    if (timeOk(candidate, now)) return candidate;
    if (!fallback || candidate.notAfter > fallback.notAfter) fallback = candidate;
  }
  return fallback;
}

const MAX_DEPTH = 100;

/**
 * build_chain without DANE and without partial chains (libpq sets neither): trusted
 * issuers first; once the path reaches the trust store it continues only there; it must
 * end in a self-signed certificate from the trust store.
 */
function buildChain(leaf: CertificateFacts, options: PathOptions, chain: CertificateFacts[]): void {
  chain.push(leaf);
  let firstTrusted = -1;
  for (;;) {
    const current = chain[chain.length - 1] as CertificateFacts;
    const depth = chain.length - 1;
    if (current.selfSigned) {
      if (firstTrusted >= 0) return;
      const anchor = options.trusted.find((candidate) => candidate.der.equals(current.der));
      if (anchor) return;
      refuse(
        "chain",
        depth === 0 ? "depthZeroSelfSigned" : "selfSignedInChain",
        depth,
        current,
        "the path ends in a self-signed certificate that is not in the CA file",
      );
    }
    if (chain.length > MAX_DEPTH) refuse("chain", "unableToGetIssuerCertLocally", depth, current);
    const trusted = bestIssuer(options.trusted, chain, current, options.now);
    if (trusted) {
      if (firstTrusted < 0) firstTrusted = chain.length;
      chain.push(trusted);
      continue;
    }
    if (firstTrusted >= 0) {
      refuse(
        "chain",
        "unableToGetIssuerCert",
        depth,
        current,
        `the trusted certificate ${nameText(current.subject)} is not a self-signed root, and its issuer is not in the CA file`,
      );
    }
    const untrusted = bestIssuer(options.untrusted, chain, current, options.now);
    if (!untrusted) {
      refuse(
        "chain",
        "unableToGetIssuerCertLocally",
        depth,
        current,
        `not signed by this CA: no certificate in the CA file or chain issued ${nameText(current.subject)} (issuer: ${nameText(current.issuer)})`,
      );
    }
    chain.push(untrusted);
  }
}

/** check_extensions: CA flags, pathlen, the purpose on every certificate, and the -x509_strict block when strict. */
function checkExtensions(chain: readonly CertificateFacts[], purpose: Purpose | undefined, strict: boolean): void {
  const num = chain.length;
  let pathLength = 0;
  chain.forEach((cert, i) => {
    const stage: PathStage = "extensions";
    if (cert.unhandledCritical)
      refuse(
        stage,
        "unhandledCriticalExtension",
        i,
        cert,
        `critical extension ${cert.unhandledCritical} is not one OpenSSL can enforce`,
      );
    const ca = checkCa(cert);
    if (i === 0) {
      if (strict && ca !== 1 && ca !== 0) refuse(stage, "invalidCa", i, cert);
    } else if (ca === 0 || ((i + 1 < num || strict) && ca !== 1)) {
      refuse(
        stage,
        "invalidCa",
        i,
        cert,
        "an issuer must have basicConstraints CA:TRUE and, if it has key usage, keyCertSign",
      );
    }
    if (strict && num > 1) strictChecks(cert, i, num);
    if (purpose !== undefined) {
      const fits = checkPurpose(cert, purpose, i > 0);
      // Values other than 0 and 1 mean "a CA of an old kind": only strict mode refuses them.
      if (fits === 0 || (fits !== 1 && strict))
        refuse("purpose", "invalidPurpose", i, cert, purposeProblem(cert, purpose, i > 0));
    }
    const limit = cert.basicConstraints?.pathLen;
    if (i > 1 && limit !== undefined && pathLength > limit) {
      refuse(
        stage,
        "pathLengthExceeded",
        i,
        cert,
        `pathlen:${limit} allows ${limit} intermediate${limit === 1 ? "" : "s"} below it, the path has ${pathLength}`,
      );
    }
    if (i > 0 && !cert.selfIssued) pathLength++;
  });
}

/** The -x509_strict block of check_extensions (RFC 5280 profile checks). */
function strictChecks(cert: CertificateFacts, i: number, num: number): void {
  const stage: PathStage = "extensions";
  const ku = cert.keyUsage ?? 0;
  if (cert.basicConstraints?.pathLen !== undefined) {
    if (!cert.isCa) refuse(stage, "pathlenInvalidForNonCa", i, cert);
    if ((ku & KU.keyCertSign) === 0) refuse(stage, "pathlenWithoutKuKeyCertSign", i, cert);
  }
  if (cert.isCa && cert.basicConstraints && !cert.basicConstraints.critical)
    refuse(stage, "caBconsNotCritical", i, cert);
  if (cert.isCa) {
    if (cert.keyUsage === undefined) refuse(stage, "caCertMissingKeyUsage", i, cert);
  } else if ((ku & KU.keyCertSign) !== 0) {
    refuse(stage, "kuKeyCertSignInvalidForNonCa", i, cert);
  }
  if (cert.issuer.attributeCount === 0) refuse(stage, "issuerNameEmpty", i, cert);
  const subjectEmpty = cert.subject.attributeCount === 0;
  if ((cert.isCa || (ku & KU.cRLSign) !== 0 || cert.subjectAltName === undefined) && subjectEmpty)
    refuse(stage, "subjectNameEmpty", i, cert);
  if (subjectEmpty && cert.subjectAltName !== undefined && !cert.subjectAltNameCritical)
    refuse(stage, "emptySubjectSanNotCritical", i, cert);
  if (cert.subjectAltName !== undefined && cert.subjectAltName.length === 0)
    refuse(stage, "emptySubjectAltName", i, cert);
  if (!cert.signatureAlgorithmsAgree) refuse(stage, "signatureAlgorithmInconsistency", i, cert);
  if (cert.authorityKeyId?.critical) refuse(stage, "authorityKeyIdentifierCritical", i, cert);
  if (cert.subjectKeyId !== undefined && cert.subjectKeyIdCritical)
    refuse(stage, "subjectKeyIdentifierCritical", i, cert);
  if (cert.version >= 2) {
    if (i + 1 < num && cert.authorityKeyId?.keyId === undefined)
      refuse(stage, "missingAuthorityKeyIdentifier", i, cert);
    if (cert.isCa && cert.subjectKeyId === undefined) refuse(stage, "missingSubjectKeyIdentifier", i, cert);
  } else if (cert.extensions.length > 0) {
    refuse(stage, "extensionsRequireVersion3", i, cert);
  }
}

/** check_revocation with CRL_CHECK_ALL: every certificate of the path, the root against its own CRL. */
function checkRevocation(chain: readonly CertificateFacts[], crls: readonly RevocationList[], now: number): void {
  chain.forEach((cert, i) => {
    const issuer = chain[Math.min(i + 1, chain.length - 1)] as CertificateFacts;
    const crl = findCrl(crls, cert, issuer, now);
    if (!crl)
      refuse(
        "revocation",
        "unableToGetCrl",
        i,
        cert,
        `no CRL from ${nameText(cert.issuer)} was given (with a CRL, libpq and PostgreSQL check every certificate of the path)`,
      );
    if (issuer.keyUsage !== undefined && (issuer.keyUsage & KU.cRLSign) === 0) {
      refuse(
        "revocation",
        "keyUsageNoCrlSign",
        i,
        cert,
        `its issuer ${nameText(issuer.subject)} may not sign CRLs, so its CRL cannot be trusted`,
      );
    }
    const timeProblem = crlTimeProblem(crl, now);
    if (timeProblem)
      refuse(
        "revocation",
        timeProblem,
        i,
        cert,
        `the CRL of ${nameText(crl.issuer)} ${timeProblem === "crlHasExpired" ? "has passed its nextUpdate" : "starts in the future"}`,
      );
    if (!crlSignedBy(crl, issuer)) refuse("revocation", "crlSignatureFailure", i, cert);
    if (crl.unhandledCritical) refuse("revocation", "unhandledCriticalCrlExtension", i, cert);
    const serial = serialKey(cert.serial);
    if (crl.revoked.has(serial) && crl.revoked.get(serial) !== REASON_REMOVE_FROM_CRL) {
      refuse(
        "revocation",
        "certRevoked",
        i,
        cert,
        `serial ${serial.toUpperCase()} is on the CRL of ${nameText(crl.issuer)}`,
      );
    }
  });
}

function timeDetail(cert: CertificateFacts, problem: "certNotYetValid" | "certHasExpired"): string {
  const when = new Date((problem === "certHasExpired" ? cert.notAfter : cert.notBefore) * 1000).toISOString();
  return problem === "certHasExpired" ? `expired on ${when}` : `not valid before ${when}`;
}

/** internal_verify: from the trust anchor down, issuer key usage, signature, then validity dates. */
function checkSignaturesAndTimes(chain: readonly CertificateFacts[], now: number): void {
  for (let n = chain.length - 1; n >= 0; n--) {
    const subject = chain[n] as CertificateFacts;
    const issuer = chain[Math.min(n + 1, chain.length - 1)] as CertificateFacts;
    if (issuer !== subject) {
      if (issuer.keyUsage !== undefined && (issuer.keyUsage & KU.keyCertSign) === 0)
        refuse("signature", "keyUsageNoCertSign", n + 1, issuer);
      let verified = false;
      try {
        verified = subject.node.verify(issuer.node.publicKey);
      } catch {
        verified = false;
      }
      if (!verified)
        refuse(
          "signature",
          "certSignatureFailure",
          n,
          subject,
          `its signature does not verify with the key of ${nameText(issuer.subject)}`,
        );
    }
    if (subject.notBefore > now)
      refuse("validity", "certNotYetValid", n, subject, timeDetail(subject, "certNotYetValid"));
    if (subject.notAfter <= now)
      refuse("validity", "certHasExpired", n, subject, timeDetail(subject, "certHasExpired"));
  }
}

/** check_name_constraints: every certificate below a constraining CA (self-issued CAs skipped). */
function checkNameConstraintsOnPath(chain: readonly CertificateFacts[]): void {
  for (let i = chain.length - 1; i >= 0; i--) {
    const cert = chain[i] as CertificateFacts;
    if (i !== 0 && cert.selfIssued) continue;
    for (let j = chain.length - 1; j > i; j--) {
      const constraints = (chain[j] as CertificateFacts).nameConstraints;
      if (!constraints) continue;
      let outcome = checkNameConstraints(cert, constraints);
      const hasDnsSan = (cert.subjectAltName ?? []).some((name) => name.type === GEN_DNS);
      if (outcome === "ok" && i === 0 && !hasDnsSan) outcome = checkCommonNameConstraints(cert, constraints);
      if (outcome !== "ok")
        refuse(
          "name-constraints",
          outcome,
          i,
          cert,
          `outside the names ${nameText((chain[j] as CertificateFacts).subject)} may certify`,
        );
    }
  }
}

/**
 * Path validation as `openssl verify -x509_strict` (OpenSSL 3.0) decides it, in its order:
 * build the path, check extensions and purpose, revocation, signatures and dates, name
 * constraints. Stops at the first error, as OpenSSL does without a verify callback.
 */
export function validatePath(leaf: CertificateFacts, options: PathOptions): PathValidation {
  const chain: CertificateFacts[] = [];
  const passed: PathStage[] = [];
  const stage = (name: PathStage | PathStage[], run: () => void) => {
    run();
    passed.push(...(Array.isArray(name) ? name : [name]));
  };
  try {
    stage("chain", () => buildChain(leaf, options, chain));
    stage(options.purpose ? ["extensions", "purpose"] : "extensions", () =>
      checkExtensions(chain, options.purpose, options.strict ?? true),
    );
    if (options.crls)
      stage("revocation", () => checkRevocation(chain, options.crls as readonly RevocationList[], options.now));
    stage(["signature", "validity"], () => checkSignaturesAndTimes(chain, options.now));
    stage("name-constraints", () => checkNameConstraintsOnPath(chain));
    return { chain, passed };
  } catch (error) {
    if (error instanceof Refusal) return { chain, passed, failure: error.failure };
    throw error;
  }
}
