import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { parseExtensions } from "./certificate-info.js";
import { EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from "./profiles.js";

export type Purpose = "server" | "client";

export interface VerifyOptions {
  /** The trusted root(s). */
  readonly roots: readonly Buffer[];
  /** Intermediates that may sit between the leaf and a root (a chain file's extra certificates). */
  readonly intermediates?: readonly Buffer[];
  readonly purpose?: Purpose;
  /** Host name or IP address the certificate must be valid for. */
  readonly host?: string;
  readonly now?: Date;
}

export interface VerifyCheck {
  readonly name: "chain" | "validity" | "purpose" | "host";
  readonly ok: boolean;
  readonly detail: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly checks: VerifyCheck[];
  /** The first failed check's detail, when not ok. */
  readonly reason?: string;
}

function signedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

function chainCheck(leaf: X509Certificate, roots: X509Certificate[], intermediates: X509Certificate[], now: Date): VerifyCheck {
  const names: string[] = [];
  let current = leaf;
  for (let depth = 0; depth <= intermediates.length; depth++) {
    const root = roots.find((candidate) => signedBy(current, candidate) || current.raw.equals(candidate.raw));
    if (root) {
      const path = [...names, root.subject.split("\n").join(", ")].join(" <- ");
      return { name: "chain", ok: true, detail: names.length ? `chains to the CA: ${path}` : `signed by the CA ${root.subject.split("\n").join(", ")}` };
    }
    const parent = intermediates.find((candidate) => signedBy(current, candidate));
    if (!parent) break;
    const expired = now.getTime() > new Date(parent.validTo).getTime();
    if (!parent.ca || expired) {
      return { name: "chain", ok: false, detail: `intermediate ${parent.subject.split("\n").join(", ")} ${expired ? "has expired" : "is not a CA"}` };
    }
    names.push(parent.subject.split("\n").join(", "));
    current = parent;
  }
  return { name: "chain", ok: false, detail: `not signed by this CA (issuer: ${leaf.issuer.split("\n").join(", ")})` };
}

function validityCheck(leaf: X509Certificate, now: Date): VerifyCheck {
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (now < notBefore) return { name: "validity", ok: false, detail: `not valid before ${notBefore.toISOString()}` };
  if (now > notAfter) return { name: "validity", ok: false, detail: `expired on ${notAfter.toISOString()}` };
  return { name: "validity", ok: true, detail: `valid until ${notAfter.toISOString()}` };
}

function purposeCheck(der: Buffer, purpose: Purpose): VerifyCheck {
  const ext = parseExtensions(der);
  const wanted = purpose === "server" ? EKU_SERVER_AUTH : EKU_CLIENT_AUTH;
  const eku = ext.extendedKeyUsage ? [...ext.extendedKeyUsage] : undefined;
  if (ext.basicConstraints?.cA) return { name: "purpose", ok: false, detail: `a CA certificate is not a TLS ${purpose} certificate` };
  if (eku && !eku.includes(wanted)) return { name: "purpose", ok: false, detail: `extended key usage does not allow TLS ${purpose} authentication` };
  if (ext.keyUsage && (ext.keyUsage.toNumber() & 1) === 0) return { name: "purpose", ok: false, detail: "key usage lacks digitalSignature, which TLS needs" };
  return { name: "purpose", ok: true, detail: `usable for TLS ${purpose} authentication` };
}

function hostCheck(leaf: X509Certificate, host: string): VerifyCheck {
  const address = host.replace(/^\[(.*)\]$/, "$1");
  const match = isIP(address) ? leaf.checkIP(address) : leaf.checkHost(host);
  return match
    ? { name: "host", ok: true, detail: `valid for ${host}` }
    : { name: "host", ok: false, detail: `not valid for ${host} (names: ${leaf.subjectAltName ?? leaf.subject.split("\n").join(", ")})` };
}

/** Checks a certificate as a TLS peer would: chain to the CA, validity now, purpose, host. */
export function verifyCertificate(der: Buffer, options: VerifyOptions): VerifyResult {
  const now = options.now ?? new Date();
  const leaf = new X509Certificate(der);
  const checks: VerifyCheck[] = [
    chainCheck(
      leaf,
      options.roots.map((root) => new X509Certificate(root)),
      (options.intermediates ?? []).map((cert) => new X509Certificate(cert)),
      now,
    ),
    validityCheck(leaf, now),
  ];
  if (options.purpose) checks.push(purposeCheck(der, options.purpose));
  if (options.host) checks.push(hostCheck(leaf, options.host));
  const failed = checks.find((check) => !check.ok);
  return failed ? { ok: false, checks, reason: failed.detail } : { ok: true, checks };
}
