import "reflect-metadata";

import { createPublicKey, type KeyObject, X509Certificate } from "node:crypto";

import type { Name } from "@peculiar/asn1-x509";

import { notFoundError } from "../../core/errors.js";
import { readInputFile } from "../../core/fs/read-input.js";
import { subjectKeyIdentifier } from "../encoding/certificate-der.js";
import { decodeCertificates, type PemOrigin } from "../encoding/pem.js";
import { parseExtensions } from "../inspect/certificate-info.js";
import { readPrivateKeyFile } from "../keys/key-file.js";
import type { PkiLayout } from "../pki-layout.js";
import { assertUsableCa, assertUsableIntermediate } from "./ca-usability.js";
import { finishRotation } from "./rotation-journal.js";

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
  /** No leaf is valid before its issuer. */
  readonly notBefore: Date;
  /** Its name in the PKI (`issuers.ts`): "ca" for the root (also when absent), else the intermediate's. */
  readonly issuerName?: string;
  /** What a leaf it signs is shipped with: the intermediate's certificate PEM; empty (or absent) for the root. */
  readonly chainPem?: string;
  /** For an intermediate: the root's certificate (`ca/ca.crt`), which clients trust and the chain ends at. */
  readonly root?: { readonly der: Buffer; readonly pem: string };
}

export interface LoadCaOptions {
  passphrase?: string | undefined;
  insecure?: boolean;
  onWarning?: (message: string) => void;
  /** The moment of signing, for the CA's validity check. Default now. */
  now?: Date;
}

export interface CaCheckOptions {
  /** Default now. */
  now?: Date;
  /**
   * The root that must have signed this CA: given for an intermediate, which is checked to be signed by it
   * instead of self-signed (`ca-usability.ts`, {@link assertUsableIntermediate}).
   */
  root?: X509Certificate;
  /** Told what makes this CA's certificates fail strict verifiers (see `ca-usability.ts`). */
  onWarning?: (message: string) => void;
}

/**
 * Reads and parses a certificate file (the first certificate in it). Damage is a PKI failure
 * (exit 7) for a file of the PKI, invalid input (exit 2) for `origin` "input" (pem.ts).
 */
export async function readCertificateFile(
  path: string,
  label: string,
  origin: PemOrigin = "pki",
): Promise<{ der: Buffer; pem: string }> {
  const text = await readInputFile(path, label, "cert-missing");
  const [der] = decodeCertificates(text, `${label} ${path}`, origin);
  return { der: der as Buffer, pem: text };
}

/**
 * Builds the signing view of a CA from its certificate and key, refusing (exit 7) a CA
 * whose certificates could not work: key and certificate not a pair, not a CA, no
 * keyCertSign, not self-signed, expired or not yet valid (`ca-usability.ts`).
 */
export function certificateAuthority(
  paths: { certPath: string; keyPath: string },
  der: Buffer,
  pem: string,
  key: KeyObject,
  options: CaCheckOptions = {},
): CertificateAuthority {
  const certificate = new X509Certificate(der);
  const extensions = parseExtensions(der);
  const facts = { ...paths, certificate, extensions, key, now: options.now ?? new Date() };
  const warnings = options.root ? assertUsableIntermediate({ ...facts, root: options.root }) : assertUsableCa(facts);
  warnings.forEach((warning) => options.onWarning?.(warning));
  const keyId = extensions.subjectKeyId
    ? new Uint8Array(extensions.subjectKeyId.buffer)
    : subjectKeyIdentifier(createPublicKey(key));
  return {
    ...paths,
    der,
    pem,
    certificate,
    key,
    name: extensions.certificate.tbsCertificate.subject,
    keyId,
    notAfter: new Date(certificate.validTo),
    notBefore: new Date(certificate.validFrom),
  };
}

/** Loads the root CA of a PKI directory for signing. */
export async function loadCa(layout: PkiLayout, options: LoadCaOptions = {}): Promise<CertificateAuthority> {
  // A rotation killed between its renames leaves a new ca.key beside the old ca.crt: finish it first.
  await finishRotation(layout);
  const { der, pem } = await readCertificateFile(layout.caCert, "CA certificate").catch((error: unknown) => {
    if (error instanceof Error && "code" in error && error.code === "cert-missing") {
      throw notFoundError("ca-missing", `no CA in ${layout.caDir}: run pgwarden ca init --pki ${layout.root}`);
    }
    throw error;
  });
  const key = await readPrivateKeyFile(layout.caKey, {
    label: "CA key",
    passphrase: options.passphrase,
    insecure: options.insecure ?? false,
    onWarning: options.onWarning,
  });
  return certificateAuthority({ certPath: layout.caCert, keyPath: layout.caKey }, der, pem, key, {
    now: options.now,
    onWarning: options.onWarning,
  });
}
