import "reflect-metadata";
import { X509Certificate, createPublicKey, type KeyObject } from "node:crypto";
import { readInputFile } from "../fs/read-input.js";
import type { Name } from "@peculiar/asn1-x509";
import { notFoundError, pkiError } from "../errors.js";
import { keyIdentifier } from "./certificate-builder.js";
import { parseExtensions } from "./certificate-info.js";
import { readPrivateKeyFile } from "./key-file.js";
import { decodeCertificates, type PemOrigin } from "./pem.js";
import type { PkiLayout } from "./pki-layout.js";

/** A CA ready to sign: its certificate, its key, and what leaves copy from it. */
export interface CertificateAuthority {
  readonly certPath: string;
  readonly keyPath: string;
  readonly der: Buffer;
  readonly pem: string;
  readonly certificate: X509Certificate;
  readonly key: KeyObject;
  /** The CA's subject, copied into each leaf's issuer field byte for byte. */
  readonly name: Name;
  /** The CA's subject key identifier: each leaf's authority key identifier. */
  readonly keyId: Uint8Array;
  readonly notAfter: Date;
}

export interface LoadCaOptions {
  passphrase?: string | undefined;
  insecure?: boolean;
  onWarning?: (message: string) => void;
}

/**
 * Reads and parses a certificate file (the first certificate in it). Damage is a PKI failure
 * (exit 7) for a file of the PKI, invalid input (exit 2) for `origin` "input" (pem.ts).
 */
export async function readCertificateFile(path: string, label: string, origin: PemOrigin = "pki"): Promise<{ der: Buffer; pem: string }> {
  const text = await readInputFile(path, label, "cert-missing");
  const [der] = decodeCertificates(text, `${label} ${path}`, origin);
  return { der: der as Buffer, pem: text };
}

/** True when the private key is the one whose public half the certificate carries. */
export function keyMatchesCertificate(key: KeyObject, certificate: X509Certificate): boolean {
  return certificate.checkPrivateKey(key);
}

/** Builds the signing view of a CA from its certificate and key, checking that they belong together. */
export function certificateAuthority(paths: { certPath: string; keyPath: string }, der: Buffer, pem: string, key: KeyObject): CertificateAuthority {
  const certificate = new X509Certificate(der);
  if (!keyMatchesCertificate(key, certificate)) {
    throw pkiError(
      "ca-mismatch",
      `${paths.certPath} was not made from ${paths.keyPath}: restore the matching pair, or move ca.crt away so pgwarden re-issues it from ca.key`,
    );
  }
  const extensions = parseExtensions(der);
  if (!extensions.basicConstraints?.cA) {
    throw pkiError("not-a-ca", `${paths.certPath} is not a CA certificate (no basicConstraints CA:TRUE)`);
  }
  const keyId = extensions.subjectKeyId ? new Uint8Array(extensions.subjectKeyId.buffer) : keyIdentifier(createPublicKey(key));
  return {
    ...paths,
    der,
    pem,
    certificate,
    key,
    name: extensions.certificate.tbsCertificate.subject,
    keyId,
    notAfter: new Date(certificate.validTo),
  };
}

/** Loads the root CA of a PKI directory for signing. */
export async function loadCa(layout: PkiLayout, options: LoadCaOptions = {}): Promise<CertificateAuthority> {
  const { der, pem } = await readCertificateFile(layout.caCert, "CA certificate").catch((error: unknown) => {
    if (error instanceof Error && "code" in error && error.code === "cert-missing") {
      throw notFoundError("ca-missing", `no CA in ${layout.caDir}: run pgwarden ca init --pki ${layout.root}`);
    }
    throw error;
  });
  const key = await readPrivateKeyFile(layout.caKey, { label: "CA key", passphrase: options.passphrase, insecure: options.insecure ?? false, onWarning: options.onWarning });
  return certificateAuthority({ certPath: layout.caCert, keyPath: layout.caKey }, der, pem, key);
}
