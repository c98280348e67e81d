import { usageError } from "../../core/errors.js";
import { libpqHostNameMatch } from "../names/host-name.js";
import { type CertificateFacts, certificateFacts } from "./certificate-facts.js";
import { nameText } from "./distinguished-name.js";
import { type KeyInput, matchKey } from "./key-match.js";
import { type PathStage, validatePath } from "./path-validation.js";
import type { Purpose } from "./purpose.js";
import { parseRevocationList, type RevocationList } from "./revocation-list.js";

export type { KeyInput } from "./key-match.js";
export type { Purpose } from "./purpose.js";

export interface VerifyOptions {
  /** Trust anchors: every certificate of the CA file (DER). A path must end in a self-signed one of them. */
  readonly roots: readonly Buffer[];
  /** Certificates that may complete the path (a chain file's extra certificates, --untrusted), as `openssl verify -untrusted`. */
  readonly intermediates?: readonly Buffer[];
  /** CRLs (DER). When there is at least one, every certificate of the path must be covered and not revoked, as libpq and PostgreSQL check. */
  readonly crls?: readonly Buffer[];
  /** TLS server or client: OpenSSL's sslserver/sslclient purpose, on the leaf and on every CA of the path. */
  readonly purpose?: Purpose;
  /** Host name or IP address the certificate must be valid for, by libpq's sslmode=verify-full rules. */
  readonly host?: string;
  /** The certificate's private key: it must match. */
  readonly key?: KeyInput;
  /**
   * OpenSSL's -x509_strict RFC 5280 profile checks, which `cert verify` applies. Default false:
   * what libssl peers (libpq, PostgreSQL) accept, as they do not set the flag, which is the
   * question when deciding whether a certificate can serve.
   */
  readonly strict?: boolean;
  /** The time of the check (default: now). */
  readonly now?: Date;
}

export interface VerifyCheck {
  readonly name: PathStage | "host" | "key";
  readonly ok: boolean;
  readonly detail: string;
  /** The check could not be made (an encrypted key); it does not refuse the certificate. */
  readonly skipped?: boolean;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly checks: VerifyCheck[];
  /** The first failed check's detail, when not ok. */
  readonly reason?: string;
  /** OpenSSL's verdict in its own terms, when path validation refused. */
  readonly openssl?: { readonly error: number; readonly depth: number; readonly text: string };
  /** Subjects of the path found, leaf first. */
  readonly chain: string[];
}

/** Parses a certificate for verification; a usage error naming `source` when it is not one. */
export function parseCertificate(der: Buffer, source: string): CertificateFacts {
  try {
    return certificateFacts(der);
  } catch {
    throw usageError("bad-certificate", `${source} holds a PEM block that is not a valid X.509 certificate`);
  }
}

/** Parses a CRL for verification; a usage error naming `source` when it is not one. */
export function parseCrl(der: Buffer, source: string): RevocationList {
  try {
    return parseRevocationList(der);
  } catch {
    throw usageError("bad-crl", `${source} holds a PEM block that is not a valid X.509 CRL`);
  }
}

const STAGE_OK: Record<PathStage, string> = {
  chain: "chains to a self-signed root in the CA file",
  extensions: "extensions fit their place in the path",
  purpose: "every certificate of the path allows this purpose",
  revocation: "no certificate of the path is revoked",
  signature: "every signature verifies",
  validity: "every certificate of the path is within its dates",
  "name-constraints": "within every name constraint of the path",
};

/**
 * Checks a certificate as a TLS peer would (OpenSSL 3.0's X509_verify_cert, with
 * `-x509_strict` when `strict`): the path to a self-signed root of the CA file, every certificate's
 * extensions, purpose, revocation, signature and dates, name constraints; then the host
 * name by libpq's rules and the private key.
 */
export function verifyCertificate(der: Buffer, options: VerifyOptions): VerifyResult {
  const now = options.now ?? new Date();
  const leaf = parseCertificate(der, "the certificate");
  const crls = (options.crls ?? []).map((crl, i) => parseCrl(crl, `CRL ${i + 1}`));
  const path = validatePath(leaf, {
    trusted: options.roots.map((root, i) => parseCertificate(root, `CA certificate ${i + 1}`)),
    untrusted: (options.intermediates ?? []).map((cert, i) => parseCertificate(cert, `chain certificate ${i + 1}`)),
    crls: crls.length > 0 ? crls : undefined,
    purpose: options.purpose,
    strict: options.strict ?? false,
    now: Math.floor(now.getTime() / 1000),
  });
  const checks: VerifyCheck[] = path.passed.map((stage) => ({
    name: stage,
    ok: true,
    detail:
      stage === "chain"
        ? `chains to ${nameText((path.chain[path.chain.length - 1] as CertificateFacts).subject)}`
        : STAGE_OK[stage],
  }));
  const failure = path.failure;
  if (failure) {
    const where = failure.depth === 0 ? "the certificate" : `${failure.subject} (depth ${failure.depth})`;
    checks.push({
      name: failure.stage,
      ok: false,
      detail: `${failure.text}: ${where}${failure.detail ? `: ${failure.detail}` : ""}`,
    });
  }
  if (crls.length === 0)
    checks.push({ name: "revocation", ok: true, skipped: true, detail: "not checked: no CRL given" });
  if (options.host !== undefined) {
    const verdict = libpqHostNameMatch(leaf, options.host);
    checks.push(
      verdict.ok
        ? { name: "host", ok: true, detail: `valid for ${options.host}` }
        : { name: "host", ok: false, detail: `not valid for ${options.host}: ${verdict.message}` },
    );
  }
  if (options.key) {
    const match = matchKey(leaf.node, options.key);
    checks.push(
      match.state === "match"
        ? { name: "key", ok: true, detail: `${options.key.source} is its private key` }
        : "why" in match
          ? {
              name: "key",
              ok: true,
              skipped: true,
              detail: `not checked: ${options.key.source} cannot be read (${match.why})`,
            }
          : {
              name: "key",
              ok: false,
              detail: `${options.key.source} is not the private key of this certificate: its public key differs`,
            },
    );
  }
  const failed = checks.find((check) => !check.ok);
  return {
    ok: failed === undefined,
    checks,
    ...(failed ? { reason: failed.detail } : {}),
    ...(failure ? { openssl: { error: failure.code, depth: failure.depth, text: failure.text } } : {}),
    chain: path.chain.map((cert) => nameText(cert.subject)),
  };
}
