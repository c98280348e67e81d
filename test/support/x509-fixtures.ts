/*
 * Certificates and CRLs for verification tests, built with @peculiar/x509 (the builder
 * pgwarden itself does not use for these odd shapes): CAs with pathLen, name constraints,
 * EKU, odd dates, unknown critical extensions, missing or critical identifiers. Every field
 * has a plain default, so a row of a table states only what makes it special.
 */
import { webcrypto } from "node:crypto";

type CryptoKeyPair = webcrypto.CryptoKeyPair;
import { derExplicit, derImplicit, derSequence, toPem } from "../../src/pki/encoding/der.js";
import { x509Lib } from "../../src/pki/encoding/x509-lib.js";

type X509 = ReturnType<typeof x509Lib>;

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

export interface Fixture {
  readonly name: string;
  readonly der: Buffer;
  readonly pem: string;
  readonly keys: CryptoKeyPair;
  readonly serial: string;
  /** Hex key identifier (SKI) of its key. */
  readonly keyId: string;
}

export interface NameConstraintSpec {
  readonly permittedDns?: readonly string[];
  readonly excludedDns?: readonly string[];
  /** `10.0.0.0/8` */
  readonly permittedIp?: readonly string[];
  readonly excludedIp?: readonly string[];
}

export interface CertSpec {
  /** Subject, such as `CN=pg-1` (also the issuer of a self-signed certificate). */
  readonly name: string;
  /** The issuing fixture; absent: self-signed. */
  readonly issuer?: Fixture;
  /** Whether basicConstraints says CA:TRUE; undefined: no basicConstraints at all. Default: true when self-signed or `pathLen` given, else false. */
  readonly ca?: boolean | null;
  readonly pathLen?: number;
  readonly basicConstraintsCritical?: boolean;
  /** Key usage names; null: no extension. Default: CAs keyCertSign+cRLSign, leaves digitalSignature. */
  readonly keyUsage?: readonly string[] | null;
  readonly extKeyUsage?: readonly string[];
  readonly dns?: readonly string[];
  readonly ip?: readonly string[];
  readonly nameConstraints?: NameConstraintSpec;
  /** Validity in days relative to `at` (default -30 .. +365). */
  readonly notBeforeDays?: number;
  readonly notAfterDays?: number;
  /** Extra extension: OID and critical flag (value: an ASN.1 NULL). */
  readonly extra?: { readonly oid: string; readonly critical: boolean };
  readonly authorityKeyId?: "normal" | "absent" | "critical";
  /** Sign with this key pair instead of the issuer's (a forged signature). */
  readonly signWith?: CryptoKeyPair;
  /** Use this key pair as the subject's own (e.g. the same key in two certificates). */
  readonly keys?: CryptoKeyPair;
}

const EKU_OIDS: Record<string, string> = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
};

function ipOctets(text: string): Buffer {
  if (text.includes(":")) throw new Error("IPv6 not needed here");
  return Buffer.from(text.split(".").map(Number));
}

function subnetOctets(cidr: string): Buffer {
  const [address, bits] = cidr.split("/") as [string, string];
  const mask = Buffer.alloc(4);
  for (let i = 0; i < Number(bits); i++) mask[i >> 3] = (mask[i >> 3] as number) | (0x80 >> (i & 7));
  return Buffer.concat([ipOctets(address), mask]);
}

function nameConstraintsDer(spec: NameConstraintSpec): Buffer {
  const subtree = (name: Buffer) => derSequence(name);
  const subtrees = (dns: readonly string[] = [], ips: readonly string[] = []) => [
    ...dns.map((d) => subtree(derImplicit(2, Buffer.from(d, "latin1")))),
    ...ips.map((ip) => subtree(derImplicit(7, subnetOctets(ip)))),
  ];
  const permitted = subtrees(spec.permittedDns, spec.permittedIp);
  const excluded = subtrees(spec.excludedDns, spec.excludedIp);
  return derSequence(
    ...(permitted.length ? [derExplicit(0, Buffer.concat(permitted))] : []),
    ...(excluded.length ? [derExplicit(1, Buffer.concat(excluded))] : []),
  );
}

let serialCounter = 0x1000;

export async function makeKeys(): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
}

/** One certificate, by the spec, dated relative to `at`. */
export async function makeCertificate(spec: CertSpec, at: Date): Promise<Fixture> {
  const x509: X509 = x509Lib();
  const keys = spec.keys ?? (await makeKeys());
  const selfSigned = spec.issuer === undefined;
  const ca = spec.ca === undefined ? selfSigned || spec.pathLen !== undefined : spec.ca;
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const extensions: InstanceType<X509["Extension"]>[] = [];
  if (ca !== null)
    extensions.push(new x509.BasicConstraintsExtension(ca, spec.pathLen, spec.basicConstraintsCritical ?? true));
  const usage = spec.keyUsage === undefined ? (ca ? ["keyCertSign", "cRLSign"] : ["digitalSignature"]) : spec.keyUsage;
  if (usage !== null) {
    const flags = usage.reduce(
      (sum, name) => sum | (x509.KeyUsageFlags as unknown as Record<string, number>)[name]!,
      0,
    );
    extensions.push(new x509.KeyUsagesExtension(flags, true));
  }
  if (spec.extKeyUsage)
    extensions.push(
      new x509.ExtendedKeyUsageExtension(
        spec.extKeyUsage.map((name) => EKU_OIDS[name] ?? name),
        false,
      ),
    );
  const sans = [
    ...(spec.dns ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(spec.ip ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));
  extensions.push(ski);
  const akiMode = spec.authorityKeyId ?? "normal";
  if (akiMode !== "absent")
    extensions.push(new x509.AuthorityKeyIdentifierExtension(spec.issuer?.keyId ?? ski.keyId, akiMode === "critical"));
  if (spec.nameConstraints)
    extensions.push(new x509.Extension("2.5.29.30", true, nameConstraintsDer(spec.nameConstraints)));
  if (spec.extra) extensions.push(new x509.Extension(spec.extra.oid, spec.extra.critical, Uint8Array.of(0x05, 0x00)));
  const serial = (serialCounter++).toString(16).padStart(4, "0");
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: spec.name,
    issuer: spec.issuer?.name ?? spec.name,
    notBefore: new Date(at.getTime() + (spec.notBeforeDays ?? -30) * DAY_MS),
    notAfter: new Date(at.getTime() + (spec.notAfterDays ?? 365) * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: (spec.signWith ?? spec.issuer?.keys ?? keys).privateKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  const der = Buffer.from(cert.rawData);
  return { name: spec.name, der, pem: toPem(der, "CERTIFICATE"), keys, serial, keyId: ski.keyId };
}

export interface CrlSpec {
  readonly issuer: Fixture;
  readonly revoked?: readonly Fixture[];
  readonly thisUpdateDays?: number;
  readonly nextUpdateDays?: number;
}

/** A CRL (PEM, `X509 CRL` as OpenSSL wants it), dated relative to `at`. */
export async function makeCrl(spec: CrlSpec, at: Date): Promise<string> {
  const x509: X509 = x509Lib();
  const crl = await x509.X509CrlGenerator.create({
    issuer: spec.issuer.name,
    thisUpdate: new Date(at.getTime() + (spec.thisUpdateDays ?? -1) * DAY_MS),
    nextUpdate: new Date(at.getTime() + (spec.nextUpdateDays ?? 7) * DAY_MS),
    entries: (spec.revoked ?? []).map((cert) => ({
      serialNumber: cert.serial,
      revocationDate: new Date(at.getTime() - DAY_MS),
      reason: x509.X509CrlReason.keyCompromise,
    })),
    extensions: [new x509.AuthorityKeyIdentifierExtension(spec.issuer.keyId, false)],
    signingAlgorithm: ALGORITHM,
    signingKey: spec.issuer.keys.privateKey,
  });
  return x509.PemConverter.encode(crl.rawData, "X509 CRL");
}

/** PKCS#8 PEM of a fixture's private key (for servers and --key). */
export async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  return toPem(der, "PRIVATE KEY");
}
