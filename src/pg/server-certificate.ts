import { X509Certificate } from "node:crypto";
import { readFile, stat } from "node:fs/promises";

import { usageError } from "../core/errors.js";
import { PRIVATE_FILE_MODE, writeFileAtomic } from "../core/fs/atomic-write.js";
import { backupPath } from "../core/fs/backup.js";
import type { CertificateAuthority } from "../pki/authority/certificate-authority.js";
import { ROOT_ISSUER } from "../pki/authority/issuers.js";
import { listRotatedCas, rotatedDir } from "../pki/authority/rotated-cas.js";
import { firstCertificateOrNone } from "../pki/encoding/pem.js";
import { describeCertificate } from "../pki/inspect/certificate-info.js";
import { readExisting } from "../pki/issuing/existing-file.js";
import { issueCertificate, prepareLeaf } from "../pki/issuing/issue.js";
import { fingerprintSha256 } from "../pki/issuing/leaf-signer.js";
import { PROFILES } from "../pki/issuing/profiles.js";
import { keyPemMatches } from "../pki/keys/key-match.js";
import { parseSubjectAltName } from "../pki/names/subject-alt-name.js";
import type { PkiLayout } from "../pki/pki-layout.js";
import { readRecords, recordIssuerName } from "../pki/records/certificate-records.js";
import { readRevocations } from "../pki/records/revocations.js";
import { verifyCertificate } from "../pki/verify/verify-certificate.js";

/** A server certificate is renewed rather than reused when it has fewer days left than this. */
export const SERVER_CERT_MIN_DAYS_LEFT = 30;

export interface ServerCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly action: "issued" | "kept" | "reissued";
  /** Why an existing certificate was replaced. */
  readonly reason?: string;
  /** Where the replaced certificate and key were kept. */
  readonly backups?: readonly string[];
}

export interface ServerCertificateRequest {
  readonly commonName: string;
  readonly subjectAltNames: readonly string[];
  readonly group?: string;
  /** Replace an existing certificate that pgwarden did not make for this server (it is kept as .bak). */
  readonly force?: boolean;
  /** Name the CN among the SANs (IssueOptions.cnAsSan; --no-cn-san: false). Default true. */
  readonly cnAsSan?: boolean;
}

/** Whether `issuer` signed `cert` (its name and its signature). */
function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/**
 * The CAs `ca rotate` replaced and `ca retire` has not retired: `roots`, every rotated root (still in
 * every trust bundle), and `predecessors`, the ones `ca` itself replaced. A server certificate one of them
 * signed stays in service until `cert renew` replaces it: re-issuing it at the first `pg tls` after
 * `ca rotate` would serve the new root to clients that have not been given it yet.
 */
export interface RotatedIssuers {
  readonly roots: readonly Buffer[];
  readonly predecessors: readonly X509Certificate[];
}

const NO_ROTATION: RotatedIssuers = { roots: [], predecessors: [] };

/** The {@link RotatedIssuers} of `ca` in `layout`; none for a PKI that never rotated. */
export async function rotatedIssuers(layout: PkiLayout, ca: CertificateAuthority): Promise<RotatedIssuers> {
  const rotated = await listRotatedCas(rotatedDir(layout));
  const name = ca.root ? ca.issuerName : ROOT_ISSUER;
  return {
    roots: rotated.filter((entry) => entry.issuerName === ROOT_ISSUER).map((entry) => entry.der),
    predecessors: rotated.filter((entry) => entry.issuerName === name).map((entry) => entry.certificate),
  };
}

/** Whether `ca` or a CA it replaced in a rotation still under way signed `cert`. */
function signedByIssuer(cert: X509Certificate, ca: CertificateAuthority, rotation: RotatedIssuers): boolean {
  return [ca.certificate, ...rotation.predecessors].some((issuer) => signedBy(cert, issuer));
}

/** Why an existing certificate cannot serve this request, or undefined when it can. */
function unfitReason(
  cert: X509Certificate,
  ca: CertificateAuthority,
  wanted: readonly string[],
  now: Date,
  rotation: RotatedIssuers = NO_ROTATION,
): string | undefined {
  // An intermediate's leaves verify as clients see them: up to the root, through the intermediate.
  const verdict = verifyCertificate(cert.raw, {
    roots: [ca.root?.der ?? ca.der, ...rotation.roots],
    intermediates: [...(ca.root ? [ca.der] : []), ...(ca.root ? rotation.predecessors.map((entry) => entry.raw) : [])],
    purpose: "server",
    now,
  });
  if (!verdict.ok) return verdict.reason;
  if (!signedByIssuer(cert, ca, rotation))
    return (
      `it was signed by ${cert.issuer.split("\n").join(", ")}, ` +
      `not by the issuer of server certificates (${ca.certificate.subject.split("\n").join(", ")})`
    );
  const info = describeCertificate(cert.raw, now);
  if (info.daysLeft < SERVER_CERT_MIN_DAYS_LEFT) return `it expires in ${info.daysLeft} days`;
  const have = new Set(info.subjectAltNames.map((san) => `${san.type}:${san.value}`));
  const missing = wanted
    .map((value) => parseSubjectAltName(value))
    .filter((san) => !have.has(`${san.type}:${san.value}`));
  return missing.length ? `it does not name ${missing.map((san) => san.value).join(", ")}` : undefined;
}

/**
 * Why a certificate pgwarden recorded must not serve because `cert revoke` took it back (same serial, issuer
 * name and, when both know it, issuer key), or undefined. Clients with the CRL would refuse it: pgwarden's own,
 * it is re-issued like an unfit one.
 */
async function revokedReason(layout: PkiLayout, cert: X509Certificate): Promise<string | undefined> {
  const fingerprint = fingerprintSha256(cert.raw);
  const record = (await readRecords(layout)).records.find((candidate) => candidate.fingerprintSha256 === fingerprint);
  if (!record) return undefined;
  const keyId = (hex: string | undefined) => hex?.replace(/:/g, "").toLowerCase();
  const revocation = (await readRevocations(layout)).revocations.find(
    (candidate) =>
      candidate.serial === record.serial &&
      candidate.issuerName === recordIssuerName(record) &&
      (candidate.issuerKeyId === undefined ||
        record.issuerKeyId === undefined ||
        keyId(candidate.issuerKeyId) === keyId(record.issuerKeyId)),
  );
  return revocation
    ? `it was revoked (serial ${record.serial}, ${revocation.reason}, ${revocation.revokedAt}): clients with the CRL refuse it`
    : undefined;
}

/** Why the files at a leaf's paths are not a usable pair (certificate and its own key), or undefined. */
function pairProblem(
  certText: string | undefined,
  cert: X509Certificate | undefined,
  keyPem: string | undefined,
): string | undefined {
  if (certText === undefined) return "its certificate is missing, only the key is there";
  if (!cert) return "it cannot be read as a PEM certificate";
  if (keyPem === undefined) return "its key is missing";
  const match = keyPemMatches(keyPem, cert);
  if (match === "match") return undefined;
  return match === "mismatch"
    ? "the key beside it does not belong to it"
    : "the key beside it cannot be read (encrypted, or not a key)";
}

/**
 * Why an existing certificate is not one pgwarden made for this server, so re-issuing it
 * would destroy something of someone else's: undefined when it is pgwarden's own (a whole
 * pair, signed by this CA, in the inventory as a server certificate).
 */
async function foreignReason(
  layout: PkiLayout,
  ca: CertificateAuthority,
  certText: string | undefined,
  cert: X509Certificate | undefined,
  keyPem: string | undefined,
  rotation: RotatedIssuers = NO_ROTATION,
): Promise<string | undefined> {
  const problem = pairProblem(certText, cert, keyPem);
  if (problem || !cert) return problem;
  // Signed by the root of a PKI that has intermediates now is pgwarden's own too: re-issued without --force.
  const byRotated = rotation.roots.some((der) => signedBy(cert, new X509Certificate(der)));
  const byRoot = ca.root && signedBy(cert, new X509Certificate(ca.root.der));
  if (!signedByIssuer(cert, ca, rotation) && !byRoot && !byRotated) {
    return `it is not signed by this CA (issuer: ${cert.issuer.split("\n").join(", ")})`;
  }
  const fingerprint = fingerprintSha256(cert.raw);
  const record = (await readRecords(layout)).records.find((candidate) => candidate.fingerprintSha256 === fingerprint);
  if (!record) return `pgwarden has no record of making it (none in ${layout.recordsDir})`;
  if (record.profile !== "server") return `pgwarden made it as a ${record.profile} certificate, not a server one`;
  return undefined;
}

/** The names of the old certificate, as `--san` values, with the requested ones it lacks appended. */
function unionOfNames(
  cert: X509Certificate | undefined,
  wanted: readonly string[],
  now: Date,
): { names: string[]; wildcard: boolean } {
  const old = cert ? describeCertificate(cert.raw, now).subjectAltNames : [];
  const seen = new Set(old.map((san) => `${san.type}:${san.value}`));
  const added = wanted.filter((value) => {
    const san = parseSubjectAltName(value);
    const key = `${san.type}:${san.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    names: [...old.map((san) => `${san.type.toUpperCase()}:${san.value}`), ...added],
    wildcard: old.some((san) => san.value.startsWith("*.")),
  };
}

export interface FoundServerCertificate {
  /** The certificate already in the PKI, when it can serve the request as it is. */
  readonly usable?: ServerCertificate;
  readonly existing: boolean;
  /** Why the existing one cannot serve. */
  readonly reason?: string;
  /** Why the existing one is not pgwarden's for this server (re-issuing it needs --force). */
  readonly foreign?: string;
  readonly paths: { readonly cert: string; readonly key: string };
  /** What a (re)issue would ask for: the existing certificate's names plus the requested ones. */
  readonly options: {
    profile: typeof PROFILES.server;
    commonName: string;
    subjectAltNames: readonly string[];
    group: string;
    allowWildcard: boolean;
    cnAsSan?: boolean;
  };
}

/** Looks for a usable server certificate without writing anything (for --dry-run too). */
export async function findServerCertificate(
  layout: PkiLayout,
  ca: CertificateAuthority,
  request: ServerCertificateRequest,
  now: Date,
): Promise<FoundServerCertificate> {
  const group = request.group ?? "server";
  const { paths } = prepareLeaf(layout, {
    profile: PROFILES.server,
    commonName: request.commonName,
    subjectAltNames: request.subjectAltNames,
    group,
    ...(request.cnAsSan === undefined ? {} : { cnAsSan: request.cnAsSan }),
  });
  const [certText, keyPem] = await Promise.all([readExisting(paths.cert), readExisting(paths.key)]);
  const existing = certText !== undefined || keyPem !== undefined;
  const cert = certText === undefined ? undefined : firstCertificateOrNone(certText);
  // An incomplete or unreadable pair cannot serve, for the reason that also makes it foreign.
  const rotation = existing ? await rotatedIssuers(layout, ca) : NO_ROTATION;
  const reason = !existing
    ? undefined
    : (pairProblem(certText, cert, keyPem) ??
      unfitReason(cert as X509Certificate, ca, request.subjectAltNames, now, rotation) ??
      (await revokedReason(layout, cert as X509Certificate)));
  const foreign = reason === undefined ? undefined : await foreignReason(layout, ca, certText, cert, keyPem, rotation);
  const usable =
    existing && reason === undefined
      ? {
          certPath: paths.cert,
          keyPath: paths.key,
          certPem: certText as string,
          keyPem: keyPem as string,
          action: "kept" as const,
        }
      : undefined;
  const union = unionOfNames(cert, request.subjectAltNames, now);
  const options = {
    profile: PROFILES.server,
    commonName: request.commonName,
    subjectAltNames: union.names,
    group,
    allowWildcard: union.wildcard,
    ...(request.cnAsSan === undefined ? {} : { cnAsSan: request.cnAsSan }),
  };
  return { usable, existing, reason, foreign, paths, options };
}

/** The refusal to replace a certificate pgwarden did not make for this server. */
export function foreignCertificateError(found: FoundServerCertificate): Error {
  return usageError(
    "foreign-certificate",
    `${found.paths.cert} ${found.reason === found.foreign ? "" : `cannot serve (${found.reason}) and `}was not made by pgwarden for this server ` +
      `(${found.foreign}), so pg tls will not replace it: pass --force to replace it and its key (both kept as .bak, its names carried over), ` +
      "or give another --cn or --group",
  );
}

/** Copies the old certificate and key beside themselves (`.<time>.bak`) before they are replaced; the key's copy is 0600. */
async function backUp(paths: { cert: string; key: string }, now: Date): Promise<string[]> {
  const kept: string[] = [];
  for (const path of [paths.cert, paths.key]) {
    const old = await readFile(path).catch(() => undefined);
    if (old === undefined) continue;
    const info = await stat(path);
    const mode = path === paths.key ? PRIVATE_FILE_MODE : info.mode & 0o777;
    const backup = backupPath(path, now);
    await writeFileAtomic(backup, old, { mode, exclusive: true });
    kept.push(backup);
  }
  return kept;
}

/**
 * The server certificate for a cluster: the one already in the PKI when it chains to the
 * CA, has a month left and names every requested host. Otherwise a new one: for a
 * certificate pgwarden made for this server, with every name the old one had plus the
 * requested ones (so a VIP or alias survives), the old certificate and key kept as .bak;
 * a certificate pgwarden did not make is refused unless `force`.
 */
export async function ensureServerCertificate(
  layout: PkiLayout,
  ca: CertificateAuthority,
  request: ServerCertificateRequest,
  now: Date,
): Promise<ServerCertificate> {
  const found = await findServerCertificate(layout, ca, request, now);
  if (found.usable) return found.usable;
  const { options, paths, existing, reason } = found;
  if (existing && found.foreign && !request.force) throw foreignCertificateError(found);
  const backups = existing ? await backUp(paths, now) : [];
  await issueCertificate(layout, ca, { ...options, force: existing }, now);
  const [certPem, keyPem] = await Promise.all([readFile(paths.cert, "utf8"), readFile(paths.key, "utf8")]);
  return {
    certPath: paths.cert,
    keyPath: paths.key,
    certPem,
    keyPem,
    action: existing ? "reissued" : "issued",
    reason,
    backups,
  };
}

/** The names a certificate answers to for libpq's verify-full: its DNS and IP SANs, and its CN when it has no DNS SAN (libpq then checks the CN). */
export function namesClientsUse(cert: X509Certificate, now: Date): string[] {
  const { subjectAltNames: sans, commonName } = describeCertificate(cert.raw, now);
  const names = sans.map((san) => `${san.type.toUpperCase()}:${san.value}`);
  if (commonName && !sans.some((san) => san.type === "dns")) {
    try {
      const san = parseSubjectAltName(commonName, { allowWildcard: true });
      if (!names.includes(`${san.type.toUpperCase()}:${san.value}`))
        names.push(`${san.type.toUpperCase()}:${san.value}`);
    } catch {
      // A CN that is no host name matches no host libpq is given.
    }
  }
  return names;
}

/**
 * The request with the names of the certificate PGDATA serves now (`installedPem`) added, so
 * that replacing it never drops a name clients reach the server by: only for a certificate this
 * CA signed (one from another CA is refused by checkInstalledCertificate unless --force, which
 * asks for a --san per name). A wildcard cannot be carried over (pg tls issues none): refused
 * unless `force`, naming it.
 */
export function withInstalledNames(
  request: ServerCertificateRequest,
  installedPem: string | undefined,
  ca: CertificateAuthority,
  now: Date,
  installedPath: string,
): ServerCertificateRequest {
  const cert = installedPem === undefined ? undefined : firstCertificateOrNone(installedPem);
  const issuers = [ca.certificate, ...(ca.root ? [new X509Certificate(ca.root.der)] : [])];
  if (!cert || !issuers.some((issuer) => signedBy(cert, issuer))) return request;
  const key = (value: string) => {
    const san = parseSubjectAltName(value, { allowWildcard: true });
    return `${san.type}:${san.value}`;
  };
  const seen = new Set(request.subjectAltNames.map(key));
  const old = namesClientsUse(cert, now).filter((name) => !seen.has(key(name)));
  const lost = old.filter((name) => name.includes("*"));
  if (lost.length > 0 && !request.force) {
    throw usageError(
      "names-would-be-lost",
      `${installedPath} also names ${lost.map((name) => name.replace(/^[A-Z]+:/, "")).join(", ")}, which pg tls cannot carry over into the new certificate ` +
        "(it issues no wildcard): pass --force to replace it without them (kept as .bak), or keep it",
    );
  }
  return { ...request, subjectAltNames: [...request.subjectAltNames, ...old.filter((name) => !lost.includes(name))] };
}
