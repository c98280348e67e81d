import { createPrivateKey, X509Certificate } from "node:crypto";
import type { Stats } from "node:fs";
import { lstat, readlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

import { pkiError, usageError } from "../../core/errors.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { firstCertificateOrNone } from "../encoding/pem.js";
import { describeCertificate } from "../inspect/certificate-info.js";
import { readExisting } from "../issuing/existing-file.js";
import { fingerprintSha256 } from "../issuing/leaf-signer.js";
import { EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from "../issuing/profiles.js";
import { isEncryptedPem, privateKeyFileProblem } from "../keys/key-file.js";
import { keyPemMatches } from "../keys/key-match.js";
import { describeKey, keyProblem, type KeyType, parseKeyType } from "../keys/key-type.js";
import { formatSubjectAltName } from "../names/subject-alt-name.js";
import type { PkiLayout } from "../pki-layout.js";
import { readRecords } from "../records/certificate-records.js";
import { verifyCertificate } from "../verify/verify-certificate.js";
import type { PlannedCertificate } from "./fleet-plan.js";

/**
 * What comparing needs of the CA: its certificate only, so a dry run never asks for the key's passphrase;
 * for an intermediate, also the root's certificate (DER) it chains to.
 */
export type FleetIssuer = Pick<CertificateAuthority, "der" | "certificate"> & { readonly rootDer?: Buffer };

/** A fleet certificate is re-issued rather than kept when it has fewer days left than this. */
export const FLEET_RENEW_DAYS_LEFT = 30;

/** keep: on disk and right; issue: nothing there; reissue: something there that is wrong (kept as .bak when replaced). */
export type FleetAction = "keep" | "issue" | "reissue";

/** A cluster's shared key (`pgsql/<cluster>.key`): reused when there, made when not. */
export interface ClusterKey {
  /** Relative to the PKI root. */
  readonly keyPath: string;
  readonly action: "keep" | "create";
  /** The existing key's type, or the type a new one gets. */
  readonly keyType: string;
  /** The existing key (PKCS#8 or whatever form it was written in). */
  readonly pem?: string;
  /** A symbolic link at keyPath (where it points, resolved): never followed; only --force replaces it, keeping the link as .bak. */
  readonly link?: { readonly target: string; readonly dangling: boolean };
}

export interface ComparedCertificate {
  readonly planned: PlannedCertificate;
  readonly action: FleetAction;
  /** Why an existing certificate does not do (reissue only). */
  readonly reason?: string;
  /** Why the existing certificate is not pgwarden's: replacing it needs --force. */
  readonly foreign?: string;
  /** The key type the certificate has (keep) or will have. */
  readonly keyType: string;
}

export interface FleetComparison {
  readonly certificates: readonly ComparedCertificate[];
  readonly clusterKeys: readonly ClusterKey[];
}

/** The key every instance of a cluster is signed for; one that cannot be used is refused (never replaced: certificates elsewhere may use it). */
async function readClusterKey(layout: PkiLayout, keyPath: string, newKeyType: KeyType): Promise<ClusterKey> {
  const path = join(layout.root, keyPath);
  const info = await lstat(path).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    const target = resolve(dirname(path), await readlink(path));
    const dangling = await lstat(target).then(
      () => false,
      () => true,
    );
    return { keyPath, action: "create", keyType: newKeyType, link: { target, dangling } };
  }
  assertKeyFileOurs(path, info);
  const pem = await readExisting(path);
  if (pem === undefined) return { keyPath, action: "create", keyType: newKeyType };
  const unusable = (why: string) =>
    usageError(
      "bad-cluster-key",
      `${join(layout.root, keyPath)} ${why}, so the cluster's certificates cannot be signed for it: move it away to have a new key made`,
    );
  if (isEncryptedPem(pem)) throw unusable("is encrypted (PostgreSQL needs the server key without a passphrase)");
  let key;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw unusable("cannot be read as a private key");
  }
  const problem = keyProblem(key);
  if (problem) throw unusable(`cannot serve: ${problem.message}`);
  return { keyPath, action: "keep", keyType: describeKey(key), pem };
}

/**
 * A key pgwarden would sign for (a cluster's) or keep (an etcd member's) must be this user's
 * alone: one others can read has leaked, one another user owns they can swap. Refused, as the
 * CA key and an exported client key are (key-file.ts), before anything is written.
 */
function assertKeyFileOurs(path: string, info: Stats | undefined): void {
  if (!info?.isFile()) return;
  const found = privateKeyFileProblem(path, info);
  if (!found) return;
  throw pkiError(
    found.code,
    `${path}: ${found.problem}, so pgwarden will not sign certificates for it: ${found.fix} (if others may have read it, move it away instead to have a new key made)`,
  );
}

/** The refusal to replace a symbolic link at a cluster key's path (it is never followed), before anything is written. */
export function clusterKeyLinkError(layout: PkiLayout, key: ClusterKey): Error {
  const link = key.link;
  const where = link ? ` to ${link.target}${link.dangling ? ", which does not exist" : ""}` : "";
  return usageError(
    "symlink-in-pki",
    `${join(layout.root, key.keyPath)} is a symbolic link${where}: pgwarden does not follow links to the keys it makes; ` +
      "remove it (or put the key itself there), or pass --force to replace the link with a new key (the link kept as .bak)",
  );
}

const EKU_BY_NAME: Readonly<Record<string, string>> = { serverAuth: EKU_SERVER_AUTH, clientAuth: EKU_CLIENT_AUTH };

/** The same values, however often each is written (Pigsty names 127.0.0.1 twice on a node whose address it is). */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.every((value) => b.includes(value)) && b.every((value) => a.includes(value));
}

/** Why an existing certificate is not the planned one, or undefined when it is. */
function mismatch(
  cert: X509Certificate,
  keyPem: string | undefined,
  keyPath: string,
  ca: FleetIssuer,
  planned: PlannedCertificate,
  now: Date,
): string | undefined {
  if (keyPem === undefined) return `its key ${keyPath} is missing`;
  const match = keyPemMatches(keyPem, cert);
  if (match !== "match")
    return match === "mismatch"
      ? `it is not the certificate of ${keyPath}`
      : `${keyPath} cannot be read (encrypted, or not a key)`;
  const verdict = verifyCertificate(cert.raw, {
    roots: [ca.rootDer ?? ca.der],
    intermediates: ca.rootDer ? [ca.der] : [],
    purpose: "server",
    now,
  });
  if (!verdict.ok)
    return sameNameOtherCa(cert, ca)
      ? `it was signed by another key named ${issuerText(cert)} (another CA with the same name, as before a CA rotation)`
      : verdict.reason;
  if (ca.rootDer && !signedBy(cert, ca.certificate))
    return `it was signed by ${issuerText(cert)}, not by the issuer of the fleet's certificates (${ca.certificate.subject.split("\n").join(", ")})`;
  const info = describeCertificate(cert.raw, now);
  if (info.commonName !== planned.commonName)
    return `its CN is ${JSON.stringify(info.commonName)}, not ${planned.commonName}`;
  const ekus = info.extendedKeyUsage.map((name) => EKU_BY_NAME[name] ?? name);
  // No extended key usage means any (RFC 5280), as in the certificates Pigsty's playbooks sign.
  if (ekus.length > 0 && !sameSet(ekus, planned.profile.extendedKeyUsage)) {
    return `it is not a ${planned.profile.name} certificate (extended key usage ${info.extendedKeyUsage.join(", ") || "none"})`;
  }
  const have = info.subjectAltNames.map(formatSubjectAltName);
  const want = planned.subjectAltNames.map(formatSubjectAltName);
  if (!sameSet(have, want)) {
    const missing = want.filter((name) => !have.includes(name));
    const extra = have.filter((name) => !want.includes(name));
    return [
      missing.length > 0 ? `it lacks ${missing.join(", ")}` : "",
      extra.length > 0 ? `it names ${extra.join(", ")}, which the inventory does not` : "",
    ]
      .filter(Boolean)
      .join("; ");
  }
  if (info.daysLeft < FLEET_RENEW_DAYS_LEFT) return `it expires in ${info.daysLeft} days`;
  return undefined;
}

function issuerText(cert: X509Certificate): string {
  return cert.issuer.split("\n").join(", ");
}

/** Whether `issuer` signed `cert` (its name and its signature). */
function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** Issued under this CA's name but not signed by its key: a CA made again with the same name (ca rotate, a new ca init). */
function sameNameOtherCa(cert: X509Certificate, ca: FleetIssuer): boolean {
  return cert.issuer === ca.certificate.subject && !cert.verify(ca.certificate.publicKey);
}

/** Why a certificate is not pgwarden's own (signed by this CA and recorded), so replacing it would destroy someone else's; undefined when it is. */
function foreignReason(
  cert: X509Certificate | undefined,
  ca: FleetIssuer,
  recorded: ReadonlySet<string>,
): string | undefined {
  if (!cert) return "it cannot be read as a PEM certificate";
  if (sameNameOtherCa(cert, ca))
    return `it is signed by another CA named ${issuerText(cert)}, not this one; --force re-issues it`;
  // Signed by the root of a PKI that has a server intermediate now is pgwarden's own too: re-issued without --force.
  const root = ca.rootDer ? new X509Certificate(ca.rootDer) : undefined;
  if (!signedBy(cert, ca.certificate) && !(root && signedBy(cert, root)))
    return `it is not signed by this CA (issuer: ${issuerText(cert)})`;
  if (!recorded.has(fingerprintSha256(cert.raw))) return "pgwarden has no record of making it";
  return undefined;
}

async function compareOne(
  layout: PkiLayout,
  ca: FleetIssuer,
  planned: PlannedCertificate,
  clusterKey: ClusterKey | undefined,
  recorded: ReadonlySet<string>,
  options: { keyType: KeyType; now: Date },
): Promise<ComparedCertificate> {
  // A symbolic link at a key or certificate path is never read through: what it points at may be anyone's.
  const keyInfo = clusterKey ? undefined : await lstat(join(layout.root, planned.keyPath)).catch(() => undefined);
  const certInfo = await lstat(join(layout.root, planned.certPath)).catch(() => undefined);
  const linked = [
    keyInfo?.isSymbolicLink() ? planned.keyPath : undefined,
    certInfo?.isSymbolicLink() ? planned.certPath : undefined,
  ].filter((path) => path !== undefined);
  if (linked.length > 0) {
    const reason = `${linked.join(" and ")} ${linked.length > 1 ? "are symbolic links" : "is a symbolic link"}, which pgwarden does not follow`;
    return {
      planned,
      action: "reissue",
      reason,
      foreign: `${reason} (--force replaces the link, kept as .bak)`,
      keyType: clusterKey?.keyType ?? options.keyType,
    };
  }
  const certText = await readExisting(join(layout.root, planned.certPath));
  if (!clusterKey) assertKeyFileOurs(join(layout.root, planned.keyPath), keyInfo);
  const keyPem = clusterKey ? clusterKey.pem : await readExisting(join(layout.root, planned.keyPath));
  const keyType = clusterKey?.keyType ?? options.keyType;
  if (certText === undefined) {
    if (clusterKey || keyPem === undefined) return { planned, action: "issue", keyType };
    const reason = `${planned.keyPath} is there without its certificate`;
    return {
      planned,
      action: "reissue",
      reason,
      foreign: "pgwarden writes a key and its certificate together",
      keyType,
    };
  }
  const cert = firstCertificateOrNone(certText);
  if (clusterKey?.link) {
    const reason = `its key ${planned.keyPath} is a symbolic link, which pgwarden does not follow`;
    return { planned, action: "reissue", reason, foreign: foreignReason(cert, ca, recorded), keyType };
  }
  const reason = cert
    ? mismatch(cert, keyPem, planned.keyPath, ca, planned, options.now)
    : "it cannot be read as a PEM certificate";
  if (reason === undefined)
    return { planned, action: "keep", keyType: cert ? describeCertificate(cert.raw, options.now).keyType : keyType };
  return { planned, action: "reissue", reason, foreign: foreignReason(cert, ca, recorded), keyType };
}

/**
 * Compares the planned fleet with the PKI directory, reading only: a certificate is kept when
 * it is the planned one (made for its key, signed by this CA, the planned CN, the profile's
 * extended key usage or none, exactly the planned SANs, a month or more left), whoever made it
 * (Pigsty's own are kept when their names are the plan's); issued when absent, re-issued otherwise;
 * a re-issue of a certificate pgwarden did not make is marked foreign.
 */
export async function compareFleet(
  layout: PkiLayout,
  ca: FleetIssuer,
  planned: readonly PlannedCertificate[],
  options: { keyType: KeyType; now: Date },
): Promise<FleetComparison> {
  // A library caller's key type is checked as --key-type is: an unlisted one (rsa-512) would make a weak key.
  parseKeyType(options.keyType);
  const sharedPaths = [...new Set(planned.filter((item) => item.sharedKey).map((item) => item.keyPath))];
  const clusterKeys = await Promise.all(sharedPaths.map((path) => readClusterKey(layout, path, options.keyType)));
  const keyByPath = new Map(clusterKeys.map((key) => [key.keyPath, key]));
  const recorded = new Set((await readRecords(layout)).records.map((record) => record.fingerprintSha256));
  const certificates = await Promise.all(
    planned.map((item) =>
      compareOne(layout, ca, item, item.sharedKey ? keyByPath.get(item.keyPath) : undefined, recorded, options),
    ),
  );
  return { certificates, clusterKeys };
}
