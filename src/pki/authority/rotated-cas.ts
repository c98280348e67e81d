import { createPublicKey, X509Certificate } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

import { subjectKeyIdentifier } from "../encoding/certificate-der.js";
import { decodeCertificates } from "../encoding/pem.js";
import { parseExtensions } from "../inspect/certificate-info.js";
import type { PkiLayout } from "../pki-layout.js";

/*
 * CAs that `ca rotate` replaced. The replaced CA's key and certificate move to
 * `ca/rotated/<issuer>-<key id>.{key,crt}`: still trusted (every trust bundle holds them) and
 * still able to sign CRLs for the certificates they issued, until `ca retire` moves them to
 * `ca/retired/`, which nothing reads any more (kept, never deleted: pgwarden does not destroy a key).
 */

/** The hex subject key identifier of a CA certificate (its SKI extension, else computed from its key as pgwarden's CAs do). */
export function keyIdOf(der: Uint8Array): string {
  const extension = parseExtensions(der).subjectKeyId;
  const bytes = extension
    ? new Uint8Array(extension.buffer)
    : subjectKeyIdentifier(createPublicKey(new X509Certificate(der).publicKey.export({ type: "spki", format: "der" })));
  return Buffer.from(bytes).toString("hex");
}

/** Key ids as records and `cert inspect` may write them (`AB:CD:...` or `abcd...`), compared as one form. */
export function sameKeyId(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const plain = (id: string) => id.replace(/:/g, "").toLowerCase();
  return plain(a) === plain(b);
}

export function rotatedDir(layout: PkiLayout): string {
  return join(layout.caDir, "rotated");
}

export function retiredDir(layout: PkiLayout): string {
  return join(layout.caDir, "retired");
}

/** Where a replaced CA's files go: the issuer's name and the first 16 hex digits of its key id. */
export function rotatedPaths(dir: string, issuerName: string, keyId: string): { certPath: string; keyPath: string } {
  const stem = `${issuerName}-${keyId.slice(0, 16)}`;
  return { certPath: join(dir, `${stem}.crt`), keyPath: join(dir, `${stem}.key`) };
}

/** A replaced CA, still trusted until retired. */
export interface RotatedCa {
  readonly issuerName: string;
  readonly keyId: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly der: Buffer;
  readonly pem: string;
  readonly certificate: X509Certificate;
}

const ROTATED_NAME = /^([a-z][a-z0-9-]*)-([0-9a-f]{16})\.crt$/;

/** The CAs in `dir` (`ca/rotated` or `ca/retired`), by issuer name then expiry. Files that are not a CA certificate are skipped. */
export async function listRotatedCas(dir: string): Promise<RotatedCa[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const found: RotatedCa[] = [];
  for (const name of names.sort()) {
    const match = ROTATED_NAME.exec(name);
    if (!match) continue;
    const certPath = join(dir, name);
    const pem = await readFile(certPath, "utf8").catch(() => undefined);
    if (pem === undefined) continue;
    let der: Buffer;
    try {
      [der] = decodeCertificates(pem, certPath, "pki") as [Buffer];
    } catch {
      continue;
    }
    found.push({
      issuerName: match[1] as string,
      keyId: keyIdOf(der),
      certPath,
      keyPath: certPath.replace(/\.crt$/, ".key"),
      der,
      pem,
      certificate: new X509Certificate(der),
    });
  }
  return found.sort(
    (a, b) =>
      a.issuerName.localeCompare(b.issuerName) || Date.parse(a.certificate.validTo) - Date.parse(b.certificate.validTo),
  );
}
