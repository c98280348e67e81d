import "reflect-metadata";

import { type KeyObject, X509Certificate } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";

import type { Name } from "@peculiar/asn1-x509";

import { isTempFileName } from "../../core/fs/atomic-write.js";
import { readDerElement } from "../encoding/der.js";
import { CERTIFICATE_LABELS, decodePemBlocks } from "../encoding/pem.js";
import { serialFromDer } from "../encoding/serial.js";
import { parseExtensions } from "../inspect/certificate-info.js";
import type { PkiLayout } from "../pki-layout.js";

/*
 * Certificates under a PKI directory that a given key signed: what a lost ca.crt leaves
 * behind (Pigsty's `files/pki/<group>/*.crt`, pgwarden's `<group>/<cn>.crt`, intermediates
 * and copies of the old root in `ca/`). A new ca.crt must carry their issuer name, or
 * every one of them stops verifying.
 */

/** One certificate the key signed, and what its issuer must look like for it to verify. */
export interface SignedCertificate {
  /** Relative to the PKI root. */
  readonly path: string;
  readonly issuer: Name;
  /** DER of the issuer Name, byte for byte as the certificate has it. */
  readonly issuerDer: Buffer;
  /** The issuer as text, `O=pigsty, OU=ca, CN=pigsty-ca`. */
  readonly issuerText: string;
  /** The authority key identifier's keyIdentifier: the issuer's SKI must equal it. */
  readonly authorityKeyId: Buffer | undefined;
  /** The authority key identifier's serial: the issuer's serial must equal it. */
  readonly authoritySerial: string | undefined;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The certificate's own serial (normalized hex) and SHA-256 fingerprint. */
  readonly serial: string;
  readonly fingerprint256: string;
  readonly subjectText: string;
}

const CERTIFICATE_FILE = /\.(crt|pem|cer)$/;
/** Folders that hold no certificates (pgwarden's records and CRLs, Pigsty's requests). */
const SKIPPED_DIRS = new Set(["db", "crl", "csr"]);
const MAX_DEPTH = 3;
/** A certificate file is a few KB; a bigger file is not one worth reading here. */
const MAX_FILE_BYTES = 1 << 20;

async function certificateFiles(dir: string, depth: number): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map(async (entry) => {
      if (entry.name.startsWith(".") || isTempFileName(entry.name)) return [];
      const path = join(dir, entry.name);
      if (entry.isDirectory())
        return depth >= MAX_DEPTH || (depth === 0 && SKIPPED_DIRS.has(entry.name))
          ? []
          : certificateFiles(path, depth + 1);
      return entry.isFile() && CERTIFICATE_FILE.test(entry.name) ? [path] : [];
    }),
  );
  return nested.flat();
}

function signedBy(der: Buffer, publicKey: KeyObject): boolean {
  try {
    return new X509Certificate(der).verify(publicKey);
  } catch {
    return false;
  }
}

/** The issuer Name's TLV exactly as encoded: TBSCertificate's fourth field after the optional [0] version. */
export function rawIssuer(der: Uint8Array): Buffer {
  const tbs = readDerElement(der, readDerElement(der, 0).start);
  let at = tbs.start;
  const first = readDerElement(der, at);
  if (first.tag === 0xa0) at = first.end;
  for (let field = 0; field < 2; field++) at = readDerElement(der, at).end; // serialNumber, signature
  return Buffer.from(der.subarray(at, readDerElement(der, at).end));
}

function describe(path: string, der: Buffer): SignedCertificate {
  const node = new X509Certificate(der);
  const ext = parseExtensions(der);
  const issuer = ext.certificate.tbsCertificate.issuer;
  const serial = ext.authorityKeyId?.authorityCertSerialNumber;
  return {
    path,
    issuer,
    issuerDer: rawIssuer(der),
    issuerText: node.issuer.split("\n").join(", "),
    authorityKeyId: ext.authorityKeyId?.keyIdentifier
      ? Buffer.from(ext.authorityKeyId.keyIdentifier.buffer)
      : undefined,
    authoritySerial: serial ? serialFromDer(new Uint8Array(serial)) : undefined,
    notBefore: new Date(node.validFrom),
    notAfter: new Date(node.validTo),
    serial: serialFromDer(new Uint8Array(ext.certificate.tbsCertificate.serialNumber)),
    fingerprint256: node.fingerprint256,
    subjectText: node.subject.split("\n").join(", "),
  };
}

/** Every certificate under `layout.root` whose signature verifies with `publicKey`, sorted by path. */
export async function certificatesSignedBy(layout: PkiLayout, publicKey: KeyObject): Promise<SignedCertificate[]> {
  const found: SignedCertificate[] = [];
  for (const path of (await certificateFiles(layout.root, 0)).sort()) {
    const info = await stat(path).catch(() => undefined);
    if (!info || info.size > MAX_FILE_BYTES) continue;
    const text = await readFile(path, "utf8").catch(() => "");
    for (const block of decodePemBlocks(text)) {
      if (!(CERTIFICATE_LABELS as readonly string[]).includes(block.label) || !signedBy(block.der, publicKey)) continue;
      found.push(describe(relative(layout.root, path), block.der));
    }
  }
  return found;
}
