import "reflect-metadata";

import type { KeyObject, X509Certificate } from "node:crypto";

import { AsnConvert } from "@peculiar/asn1-schema";
import { type GeneralName, KeyUsageFlags, NameConstraints } from "@peculiar/asn1-x509";

import { pkiError } from "../../core/errors.js";
import type { parseExtensions } from "../inspect/certificate-info.js";
import { describeKey, keyProblem, signatureAlgorithmFor } from "../keys/key-type.js";
import { type CertificateFacts, certificateFacts } from "../verify/certificate-facts.js";
import { checkPurpose, OPENSSL_PURPOSE, type Purpose } from "../verify/purpose.js";

/*
 * Whether a CA certificate and key can sign leaves that verifiers accept: one small check
 * each. A check that `refuse`s finds a CA whose leaves fail where they are used (libpq,
 * `openssl verify`), or that pgwarden cannot sign with; one that `warn`s finds a CA whose
 * leaves pass libpq but fail `openssl verify -x509_strict` or some names. `ca-adopt.test.ts`
 * proves each verdict against OpenSSL with a leaf under a CA made by `openssl`.
 */

const OID_NAME_CONSTRAINTS = "2.5.29.30";

/** The certificate as `cert verify` models OpenSSL's view of it, parsed once per certificate. */
const opensslViews = new WeakMap<X509Certificate, CertificateFacts>();
function opensslView(certificate: X509Certificate): CertificateFacts {
  let view = opensslViews.get(certificate);
  if (!view) opensslViews.set(certificate, (view = certificateFacts(Buffer.from(certificate.raw))));
  return view;
}

export interface CaFacts {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certificate: X509Certificate;
  readonly extensions: ReturnType<typeof parseExtensions>;
  readonly key: KeyObject;
  readonly now: Date;
}

export interface CaCheck {
  /** Stable code of the error or warning. */
  readonly id: string;
  readonly verdict: "refuse" | "warn";
  /** One line saying what is wrong and how to fix it, or undefined when the CA passes. */
  readonly check: (facts: CaFacts) => string | undefined;
}

/**
 * What to do about a ca.crt that is unusable or non-compliant while ca.key is fine: ca init
 * finds the old certificate among those ca.key signed and gives the new one its name.
 */
const RESIGN =
  "move it to ca/old-ca.crt and run pgwarden ca init, which signs a new ca.crt from ca.key with the old one's name";

const keyMatches: CaCheck = {
  id: "ca-mismatch",
  verdict: "refuse",
  check: ({ certPath, keyPath, certificate, key }) =>
    certificate.checkPrivateKey(key)
      ? undefined
      : `${certPath} was not made from ${keyPath}: restore the matching pair, or move ca.crt away so pgwarden re-issues it from ca.key`,
};

/** Why pgwarden cannot sign with this CA key, or undefined. */
export function caKeyProblem(keyPath: string, key: KeyObject): string | undefined {
  try {
    signatureAlgorithmFor(key);
  } catch {
    return (
      `${keyPath} is a ${describeKey(key)} key, which pgwarden cannot sign with: ` +
      "use a CA whose key is ec-p256, ec-p384, ed25519 or RSA of 2048 bits or more"
    );
  }
  const problem = keyProblem(key, "ca");
  return problem && `CA key ${keyPath}: ${problem.message}`;
}

const keySigns: CaCheck = {
  id: "ca-key-unsupported",
  verdict: "refuse",
  check: ({ keyPath, key }) => caKeyProblem(keyPath, key),
};

const isCa: CaCheck = {
  id: "not-a-ca",
  verdict: "refuse",
  check: ({ certPath, extensions }) =>
    extensions.basicConstraints?.cA
      ? undefined
      : `${certPath} is not a CA certificate (no basicConstraints CA:TRUE): use a CA certificate, or ${RESIGN}`,
};

const signsCertificates: CaCheck = {
  id: "ca-no-cert-sign",
  verdict: "refuse",
  check: ({ certPath, extensions }) =>
    !extensions.keyUsage || (extensions.keyUsage.toNumber() & KeyUsageFlags.keyCertSign) !== 0
      ? undefined
      : `${certPath} has a keyUsage without keyCertSign, so verifiers reject every certificate it signs ` +
        `("key usage does not include certificate signing"): ${RESIGN}`,
};

const selfSigned: CaCheck = {
  id: "ca-not-self-signed",
  verdict: "refuse",
  check: ({ certPath, certificate, extensions }) => {
    const tbs = extensions.certificate.tbsCertificate;
    const sameName = Buffer.from(AsnConvert.serialize(tbs.subject)).equals(
      Buffer.from(AsnConvert.serialize(tbs.issuer)),
    );
    if (sameName && certificate.verify(certificate.publicKey)) return undefined;
    return (
      `${certPath} is not a self-signed root (issued by ${certificate.issuer.split("\n").join(", ")}): pgwarden ships ca.crt alone as root.crt, ` +
      `so verify-full would fail without the chain above it; put the root CA's certificate and key in ca/ instead`
    );
  },
};

const knownCriticalExtensions: CaCheck = {
  id: "ca-unhandled-critical",
  verdict: "refuse",
  check: ({ certPath, certificate }) => {
    const oid = opensslView(certificate).unhandledCritical;
    return oid === undefined
      ? undefined
      : `${certPath} has a critical extension ${oid} that OpenSSL does not handle, so every verifier rejects the certificates it signs ` +
          `("unhandled critical extension"): use a CA without it, or ${RESIGN}`;
  },
};

/** The purposes an extendedKeyUsage on the CA lets through (OpenSSL checks it on CA certificates too, as libssl does with sslserver/sslclient). */
function ekuPurposes(certificate: X509Certificate): { allowed: Purpose[]; refused: Purpose[] } | undefined {
  const view = opensslView(certificate);
  if (view.extKeyUsage === undefined) return undefined;
  const purposes: Purpose[] = ["server", "client"];
  const allowed = purposes.filter((purpose) => checkPurpose(view, purpose, true) !== 0);
  return { allowed, refused: purposes.filter((purpose) => !allowed.includes(purpose)) };
}

const ekuAllowsTls: CaCheck = {
  id: "ca-eku-no-tls",
  verdict: "refuse",
  check: ({ certPath, certificate }) =>
    ekuPurposes(certificate)?.allowed.length === 0
      ? `${certPath} has an extendedKeyUsage without serverAuth or clientAuth, so libpq and PostgreSQL reject every certificate it signs ` +
        `(openssl verify -purpose sslserver/sslclient: "unsupported certificate purpose"; anyExtendedKeyUsage does not count): ` +
        `use a CA without extendedKeyUsage, or ${RESIGN}`
      : undefined,
};

const ekuAllowsBothProfiles: CaCheck = {
  id: "ca-eku-one-purpose",
  verdict: "warn",
  check: ({ certPath, certificate }) => {
    const purposes = ekuPurposes(certificate);
    if (purposes?.allowed.length !== 1) return undefined;
    const [refused] = purposes.refused as [Purpose];
    return (
      `${certPath} has an extendedKeyUsage without ${refused === "server" ? "serverAuth" : "clientAuth"}: every ${refused} certificate it signs ` +
      `(cert issue --profile ${refused}, and peer) fails verification (openssl verify -purpose ${OPENSSL_PURPOSE[refused]}); ` +
      `only ${purposes.allowed[0]} certificates work; to fix, ${RESIGN}`
    );
  },
};

const notExpired: CaCheck = {
  id: "ca-expired",
  verdict: "refuse",
  check: ({ certPath, certificate, now }) => {
    const notAfter = new Date(certificate.validTo);
    return now.getTime() < notAfter.getTime()
      ? undefined
      : `${certPath} expired on ${notAfter.toISOString()}, so every certificate it signs would be rejected: ${RESIGN}`;
  },
};

const alreadyValid: CaCheck = {
  id: "ca-not-yet-valid",
  verdict: "refuse",
  check: ({ certPath, certificate, now }) => {
    const notBefore = new Date(certificate.validFrom);
    return now.getTime() >= notBefore.getTime()
      ? undefined
      : `${certPath} is not valid before ${notBefore.toISOString()}: check this host's clock, or wait until then`;
  },
};

const hasKeyUsage: CaCheck = {
  id: "ca-no-key-usage",
  verdict: "warn",
  check: ({ certPath, extensions }) =>
    extensions.keyUsage
      ? undefined
      : `${certPath} has no keyUsage extension: libpq accepts its certificates, but openssl verify -x509_strict rejects every one ` +
        `("CA cert does not include key usage extension"); to fix, ${RESIGN}`,
};

const basicConstraintsCritical: CaCheck = {
  id: "ca-basic-constraints-not-critical",
  verdict: "warn",
  check: ({ certPath, extensions }) => {
    const basic = extensions.certificate.tbsCertificate.extensions?.find((ext) => ext.extnID === "2.5.29.19");
    return !basic || basic.critical
      ? undefined
      : `${certPath} has basicConstraints not marked critical: libpq accepts its certificates, ` +
          `but openssl verify -x509_strict rejects every one; to fix, ${RESIGN}`;
  },
};

function describeGeneralName(name: GeneralName): string {
  if (name.dNSName !== undefined) return `DNS:${name.dNSName}`;
  if (name.iPAddress !== undefined) return `IP:${name.iPAddress}`;
  if (name.rfc822Name !== undefined) return `email:${name.rfc822Name}`;
  if (name.uniformResourceIdentifier !== undefined) return `URI:${name.uniformResourceIdentifier}`;
  return name.directoryName ? "dirName" : "other";
}

const nameConstraints: CaCheck = {
  id: "ca-name-constraints",
  verdict: "warn",
  check: ({ certPath, extensions }) => {
    const ext = extensions.certificate.tbsCertificate.extensions?.find((item) => item.extnID === OID_NAME_CONSTRAINTS);
    if (!ext) return undefined;
    const constraints = AsnConvert.parse(ext.extnValue.buffer, NameConstraints);
    const list = (subtrees: NameConstraints["permittedSubtrees"]) =>
      [...(subtrees ?? [])].map((tree) => describeGeneralName(tree.base)).join(" ");
    const parts = [
      constraints.permittedSubtrees ? `permitted ${list(constraints.permittedSubtrees)}` : "",
      constraints.excludedSubtrees ? `excluded ${list(constraints.excludedSubtrees)}` : "",
    ];
    return (
      `${certPath} is name-constrained (${parts.filter(Boolean).join("; ")}): every verifier rejects a certificate it signs whose CN or SANs fall outside, ` +
      `so issue only names inside them`
    );
  },
};

/** In order: the first refusal is the one reported, so a key that does not match is named before anything else. */
export const CA_CHECKS: readonly CaCheck[] = [
  keyMatches,
  keySigns,
  isCa,
  signsCertificates,
  selfSigned,
  knownCriticalExtensions,
  ekuAllowsTls,
  notExpired,
  alreadyValid,
  hasKeyUsage,
  basicConstraintsCritical,
  nameConstraints,
  ekuAllowsBothProfiles,
];

export interface CaFinding {
  readonly id: string;
  readonly verdict: CaCheck["verdict"];
  readonly message: string;
}

/** Every check's finding for this CA. */
export function assessCa(facts: CaFacts): CaFinding[] {
  return CA_CHECKS.flatMap((check) => {
    const message = check.check(facts);
    return message === undefined ? [] : [{ id: check.id, verdict: check.verdict, message }];
  });
}

/** Throws the first refusal (exit 7); returns the warnings. */
export function assertUsableCa(facts: CaFacts): string[] {
  const findings = assessCa(facts);
  const refusal = findings.find((finding) => finding.verdict === "refuse");
  if (refusal) throw pkiError(refusal.id, refusal.message);
  return findings.map((finding) => finding.message);
}

/** What an intermediate's checks also know: the root in `ca/ca.crt` that must have signed it. */
export interface IntermediateFacts extends CaFacts {
  readonly root: X509Certificate;
}

const REMAKE = "make it again with pgwarden ca intermediate create --name <name> --force";

const signedByRoot: CaCheck = {
  id: "intermediate-not-signed-by-root",
  verdict: "refuse",
  check: (facts) => {
    const { certPath, certificate, root } = facts as IntermediateFacts;
    if (certificate.checkIssued(root) && certificate.verify(root.publicKey)) return undefined;
    return (
      `${certPath} is not signed by the root in ca/ca.crt (issued by ${certificate.issuer.split("\n").join(", ")}): ` +
      `its certificates would not verify under root.crt; ${REMAKE}`
    );
  },
};

const intermediateNotExpired: CaCheck = {
  id: "issuer-expired",
  verdict: "refuse",
  check: ({ certPath, certificate, now }) => {
    const notAfter = new Date(certificate.validTo);
    return now.getTime() < notAfter.getTime()
      ? undefined
      : `${certPath} expired on ${notAfter.toISOString()}: an expired issuer refuses to sign; ${REMAKE}`;
  },
};

/**
 * The checks of an intermediate: those of a root (key pair, a key pgwarden signs with, CA:TRUE,
 * keyCertSign, critical extensions OpenSSL handles, an EKU that allows TLS, validity), except that it is
 * signed by the root instead of self-signed, and the advice is to make it again rather than ca init.
 */
export const INTERMEDIATE_CHECKS: readonly CaCheck[] = [
  keyMatches,
  keySigns,
  isCa,
  signsCertificates,
  signedByRoot,
  knownCriticalExtensions,
  ekuAllowsTls,
  intermediateNotExpired,
  alreadyValid,
  hasKeyUsage,
  basicConstraintsCritical,
  ekuAllowsBothProfiles,
];

/** Throws the first refusal of {@link INTERMEDIATE_CHECKS} (exit 7); returns the warnings. */
export function assertUsableIntermediate(facts: IntermediateFacts): string[] {
  const findings = INTERMEDIATE_CHECKS.flatMap((check) => {
    const message = check.check(facts);
    return message === undefined ? [] : [{ id: check.id, verdict: check.verdict, message }];
  });
  const refusal = findings.find((finding) => finding.verdict === "refuse");
  if (refusal) throw pkiError(refusal.id, refusal.message);
  return findings.map((finding) => finding.message);
}
