import { readFile } from "node:fs/promises";
import type { CertificateAuthority } from "../pki/certificate-authority.js";
import { describeCertificate } from "../pki/certificate-info.js";
import { issueCertificate, prepareLeaf } from "../pki/issue.js";
import type { PkiLayout } from "../pki/pki-layout.js";
import { PROFILES } from "../pki/profiles.js";
import { parseSubjectAltName } from "../pki/subject-alt-name.js";
import { verifyCertificate } from "../pki/verify.js";

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
}

export interface ServerCertificateRequest {
  readonly commonName: string;
  readonly subjectAltNames: readonly string[];
  readonly group?: string;
}

async function readPair(certPath: string, keyPath: string): Promise<{ certPem: string; keyPem: string } | undefined> {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
    return { certPem, keyPem };
  } catch {
    return undefined;
  }
}

/** Why an existing certificate cannot serve this request, or undefined when it can. */
function unfitReason(certPem: string, ca: CertificateAuthority, wanted: readonly string[], now: Date): string | undefined {
  const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  const verdict = verifyCertificate(der, { roots: [ca.der], purpose: "server", now });
  if (!verdict.ok) return verdict.reason;
  const info = describeCertificate(der, now);
  if (info.daysLeft < SERVER_CERT_MIN_DAYS_LEFT) return `it expires in ${info.daysLeft} days`;
  const have = new Set(info.subjectAltNames.map((san) => `${san.type}:${san.value}`));
  const missing = wanted.map((value) => parseSubjectAltName(value)).find((san) => !have.has(`${san.type}:${san.value}`));
  return missing ? `it does not name ${missing.value}` : undefined;
}

export interface FoundServerCertificate {
  /** The certificate already in the PKI, when it can serve the request as it is. */
  readonly usable?: ServerCertificate;
  readonly existing: boolean;
  /** Why the existing one cannot serve. */
  readonly reason?: string;
  readonly paths: { readonly cert: string; readonly key: string };
  readonly options: { profile: typeof PROFILES.server; commonName: string; subjectAltNames: readonly string[]; group: string };
}

/** Looks for a usable server certificate without writing anything (for --dry-run too). */
export async function findServerCertificate(layout: PkiLayout, ca: CertificateAuthority, request: ServerCertificateRequest, now: Date): Promise<FoundServerCertificate> {
  const options = { profile: PROFILES.server, commonName: request.commonName, subjectAltNames: request.subjectAltNames, group: request.group ?? "server" };
  const { paths } = prepareLeaf(layout, options);
  const pair = await readPair(paths.cert, paths.key);
  const reason = pair ? unfitReason(pair.certPem, ca, request.subjectAltNames, now) : undefined;
  const usable = pair && reason === undefined ? { certPath: paths.cert, keyPath: paths.key, ...pair, action: "kept" as const } : undefined;
  return { usable, existing: pair !== undefined, reason, paths, options };
}

/**
 * The server certificate for a cluster: the one already in the PKI when it chains to the
 * CA, has a month left and names every requested host; otherwise a new one (replacing
 * the old, which stays in the inventory as replaced).
 */
export async function ensureServerCertificate(layout: PkiLayout, ca: CertificateAuthority, request: ServerCertificateRequest, now: Date): Promise<ServerCertificate> {
  const found = await findServerCertificate(layout, ca, request, now);
  if (found.usable) return found.usable;
  const { options, paths, existing, reason } = found;
  await issueCertificate(layout, ca, { ...options, force: existing }, now);
  const fresh = (await readPair(paths.cert, paths.key)) as { certPem: string; keyPem: string };
  return { certPath: paths.cert, keyPath: paths.key, ...fresh, action: existing ? "reissued" : "issued", reason };
}
