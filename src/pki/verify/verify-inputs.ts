import { readdir } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";

import { notFoundError, usageError } from "../../core/errors.js";
import { readInputFile } from "../../core/fs/read-input.js";
import { listIssuerFiles } from "../authority/issuers.js";
import { decodeCertificates, decodePem, type PemOrigin } from "../encoding/pem.js";
import type { PkiLayout } from "../pki-layout.js";
import type { KeyInput } from "./key-match.js";
import { parseCertificate, parseCrl, type VerifyOptions } from "./verify-certificate.js";

const CRL_LABELS = ["X509 CRL"] as const;

/** What `cert verify` names on its command line. */
export interface VerifyFiles {
  /** The certificate; certificates after the first are its chain. */
  readonly certificate: string;
  /** Trust anchors (default: the PKI's ca.crt). */
  readonly ca?: string;
  readonly untrusted?: readonly string[];
  /** CRL files (default: the PKI's crl/*.crl, when the PKI's CA is the trust anchor). */
  readonly crls?: readonly string[];
  /** The private key (default: the certificate's name with .key, when that file exists). */
  readonly key?: string;
}

export interface LoadedVerifyInputs {
  readonly leaf: Buffer;
  readonly options: Omit<VerifyOptions, "purpose" | "host" | "now">;
  /** The files read, for the report. */
  readonly sources: { readonly ca: string; readonly crls: readonly string[]; readonly key?: string };
}

async function readCertificates(
  path: string,
  what: string,
  code?: string,
  origin: PemOrigin = "input",
): Promise<Buffer[]> {
  const ders = decodeCertificates(await readInputFile(path, what, code), path, origin);
  ders.forEach((der, i) => parseCertificate(der, ders.length > 1 ? `${path} (certificate ${i + 1})` : path));
  return ders;
}

async function readCrls(path: string): Promise<Buffer[]> {
  const ders = decodePem(await readInputFile(path, "CRL file"), CRL_LABELS, path);
  ders.forEach((der, i) => parseCrl(der, ders.length > 1 ? `${path} (CRL ${i + 1})` : path));
  return ders;
}

/** `<pki>/crl/*.crl`, sorted; none when the directory does not exist. */
async function pkiCrlFiles(layout: PkiLayout): Promise<string[]> {
  const names = await readdir(layout.crlDir).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith(".crl"))
    .sort()
    .map((name) => join(layout.crlDir, name));
}

/** The key beside a certificate: same name, `.key` instead of its extension. */
function keyBeside(certificate: string): string {
  return join(dirname(certificate), `${basename(certificate, extname(certificate))}.key`);
}

async function readKey(path: string, explicit: boolean): Promise<KeyInput | undefined> {
  try {
    return { source: path, pem: await readInputFile(path, "private key file") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A key we may not read is reported as not checked, never a crash (pgwarden may run as another user than the key's owner).
    if (code === "EACCES" || code === "EPERM") return { source: path, pem: "", problem: "permission denied" };
    if (!explicit && error instanceof Error && "exitCode" in error) return undefined;
    throw error;
  }
}

/** The certificates of the PKI's intermediates, as untrusted chain material (as `openssl verify -untrusted`). */
async function intermediatesOf(layout: PkiLayout): Promise<Buffer[]> {
  const files = (await listIssuerFiles(layout)).filter((issuer) => issuer.kind === "intermediate");
  return (
    await Promise.all(
      files.map((issuer) => readCertificates(issuer.certPath, "intermediate certificate", undefined, "pki")),
    )
  ).flat();
}

/** Reads every file the verification needs; a missing file is exit 4, a file that is not what it should be exit 2. */
export async function loadVerifyInputs(files: VerifyFiles, pki: () => PkiLayout): Promise<LoadedVerifyInputs> {
  const [leaf, ...chain] = await readCertificates(files.certificate, "certificate file");
  // The PKI is looked at only when no --ca is given: verifying against a CA file needs no PKI.
  const layout = files.ca === undefined ? pki() : undefined;
  const caPath = files.ca ?? (layout as PkiLayout).caCert;
  const roots = await readCertificates(caPath, "CA file", "ca-missing", layout ? "pki" : "input").catch(
    (error: unknown) => {
      if (layout && error instanceof Error && "code" in error && error.code === "ca-missing") {
        throw notFoundError("ca-missing", `no CA in ${layout.caDir}: pass --ca FILE or --pki DIR`);
      }
      throw error;
    },
  );
  const untrusted = (
    await Promise.all((files.untrusted ?? []).map((path) => readCertificates(path, "untrusted certificate file")))
  ).flat();
  // Verifying against the PKI's root: its intermediates (ca/<name>-ca.crt) are where a leaf's chain goes through.
  const pkiIntermediates = layout ? await intermediatesOf(layout) : [];
  const crlFiles = files.crls ?? (layout ? await pkiCrlFiles(layout) : []);
  const crls = (await Promise.all(crlFiles.map(readCrls))).flat();
  const key =
    files.key !== undefined ? await readKey(files.key, true) : await readKey(keyBeside(files.certificate), false);
  if (
    files.key !== undefined &&
    key &&
    key.problem === undefined &&
    !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.pem)
  ) {
    throw usageError(
      "not-a-key",
      `${files.key} holds no PEM private key (-----BEGIN PRIVATE KEY-----): give the certificate's key file`,
    );
  }
  return {
    leaf: leaf as Buffer,
    options: { roots, intermediates: [...chain, ...untrusted, ...pkiIntermediates], crls, key },
    sources: { ca: caPath, crls: crlFiles, key: key?.source },
  };
}
