import { createPublicKey, type KeyObject, type webcrypto, X509Certificate } from "node:crypto";
import { chmod, readFile, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";

import { pkiError, usageError } from "../../core/errors.js";
import {
  ensureDirectory,
  linkExclusive,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  syncDirectory,
  writeFileAtomic,
} from "../../core/fs/atomic-write.js";
import { backupPath } from "../../core/fs/backup.js";
import { readInputFile } from "../../core/fs/read-input.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { decodePem } from "../encoding/pem.js";
import { x509Lib } from "../encoding/x509-lib.js";
import { keyPemMatches } from "../keys/key-match.js";
import { describeKey, keyProblem, SUPPORTED_KEYS_TEXT } from "../keys/key-type.js";
import type { PkiLayout } from "../pki-layout.js";
import {
  assertFreePaths,
  type IssueResult,
  issuerFields,
  leafWarnings,
  persistLeaves,
  prepareForWrites,
  prepareLeaf,
} from "./issue.js";
import { leafSigner } from "./leaf-template.js";
import type { Profile } from "./profiles.js";
import { checkValidityDays, DEFAULT_LEAF_VALIDITY_DAYS } from "./validity.js";

const OID_SUBJECT_ALT_NAME = "2.5.29.17";
const OID_BASIC_CONSTRAINTS = "2.5.29.19";

export interface SignCsrOptions {
  readonly profile: Profile;
  /** SANs added to the ones the request asks for. */
  readonly subjectAltNames?: readonly string[];
  readonly days?: number;
  readonly group?: string;
  readonly allowWildcard?: boolean;
  /** Add the request's CN to the SANs of a server or peer certificate (see IssueOptions.cnAsSan). Default true. */
  readonly cnAsSan?: boolean;
  readonly force?: boolean;
}

/** What a certificate request asks for, after its signature has been checked. */
export interface CertificateRequestContents {
  readonly commonName: string;
  readonly subjectAltNames: string[];
  readonly publicKeyDer: Buffer;
}

/** The request's public key, or a PKI error naming its algorithm when OpenSSL cannot read it. */
function requestKey(spki: Buffer, algorithmName: () => string, source: string): KeyObject {
  try {
    return createPublicKey({ key: spki, format: "der", type: "spki" });
  } catch {
    let algorithm = "unknown";
    try {
      algorithm = algorithmName();
    } catch {
      // An algorithm neither OpenSSL nor @peculiar/x509 knows: "unknown" says as much.
    }
    throw pkiError(
      "unsupported-key-type",
      `${source}: unsupported key type ${algorithm}: make the request with ${SUPPORTED_KEYS_TEXT}`,
    );
  }
}

/**
 * Parses a PKCS#10 request and checks its key and self-signature. The key must be one
 * libpq and pgwarden handle (RSA of 2048 bits or more, P-256, P-384, P-521, Ed25519): a
 * request with another is refused as unsupported, before its signature is checked, since
 * WebCrypto cannot check it and "forged" would be a lie. Only the CN and the requested
 * SANs are taken from it: key usage and EKU always come from the profile.
 */
export async function readCertificateRequest(text: string, source: string): Promise<CertificateRequestContents> {
  const [der] = decodePem(text, ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"], source);
  const x509 = x509Lib();
  let csr: InstanceType<typeof x509.Pkcs10CertificateRequest>;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch {
    throw usageError("bad-csr", `${source} is not a readable certificate request (PKCS#10): is it truncated?`);
  }
  const spki = Buffer.from(csr.publicKey.rawData);
  // @peculiar/x509 types it as the DOM's global Algorithm, which Node's typings keep under crypto.webcrypto.
  const algorithmName = () => (csr.publicKey.algorithm as webcrypto.Algorithm).name ?? "unknown";
  const key = requestKey(spki, algorithmName, source);
  const problem = keyProblem(key);
  if (problem?.code === "unsupported-key-type") throw pkiError(problem.code, `${source}: ${problem.message}`);
  let valid: boolean;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  if (!valid)
    throw pkiError(
      "csr-signature",
      `${source}: the request's signature does not verify, so whoever made it may not hold the key: make a new request`,
    );
  if (problem) throw pkiError(problem.code, `${source}: ${problem.message}`);

  const basic = csr.getExtension(OID_BASIC_CONSTRAINTS);
  if (basic instanceof x509.BasicConstraintsExtension && basic.ca) {
    throw usageError(
      "csr-requests-ca",
      `${source} asks for a CA certificate: pgwarden signs only leaf certificates from requests`,
    );
  }
  const [commonName, ...more] = csr.subjectName.getField("CN");
  if (commonName === undefined)
    throw usageError("csr-no-cn", `${source} has no CN in its subject: the CN names the host or the role`);
  if (more.length > 0)
    throw usageError("csr-many-cn", `${source} has ${more.length + 1} CNs in its subject: give it exactly one`);
  const sanExtension = csr.getExtension(OID_SUBJECT_ALT_NAME);
  const subjectAltNames: string[] = [];
  if (sanExtension instanceof x509.SubjectAlternativeNameExtension) {
    for (const name of sanExtension.names.items) {
      if (name.type === "dns") subjectAltNames.push(`DNS:${name.value}`);
      else if (name.type === "ip") subjectAltNames.push(`IP:${name.value}`);
      else
        throw usageError(
          "csr-san-type",
          `${source} asks for a ${name.type} SAN: pgwarden signs DNS names and IP addresses only`,
        );
    }
  }
  return { commonName, subjectAltNames, publicKeyDer: spki };
}

/** Signs a certificate request with the CA into `<pki>/<group>/<cn>.crt`. */
export async function signCertificateRequest(
  layout: PkiLayout,
  ca: CertificateAuthority,
  csrPath: string,
  options: SignCsrOptions,
  now: Date = new Date(),
): Promise<IssueResult> {
  // As the CLI's --days: a bad lifetime is refused before the request is read.
  checkValidityDays(options.days ?? DEFAULT_LEAF_VALIDITY_DAYS);
  const text = await readInputFile(csrPath, "certificate request", "csr-missing");
  const request = await readCertificateRequest(text, csrPath);
  const prepared = prepareLeaf(layout, {
    profile: options.profile,
    commonName: request.commonName,
    subjectAltNames: [...request.subjectAltNames, ...(options.subjectAltNames ?? [])],
    days: options.days,
    group: options.group,
    allowWildcard: options.allowWildcard,
    cnAsSan: options.cnAsSan,
  });
  await prepareForWrites(layout);
  await assertFreePaths([prepared.paths.cert], options.force ?? false);
  const publicKey = createPublicKey({ key: request.publicKeyDer, format: "der", type: "spki" });
  if (publicKey.equals(createPublicKey(ca.key))) {
    throw pkiError(
      "csr-ca-key",
      `${csrPath} carries the CA's own public key: a certificate must have its own key, so make a new key and request (never reuse ca.key)`,
    );
  }
  await ensureDirectory(prepared.paths.dir, PRIVATE_DIR_MODE);
  const signer = leafSigner(ca, prepared.profile);
  const leaf = signer.sign(prepared.request, { spki: request.publicKeyDer, keyType: describeKey(publicKey) }, now);
  const oldCertificate = options.force ? await backUpCertificate(prepared.paths.cert, now) : undefined;
  const [result] = await persistLeaves(layout, [{ leaf, prepared }], {
    origin: "signed",
    issuer: signer.issuerSubject,
    force: options.force ?? false,
    now,
    ...issuerFields(ca),
  });
  const keyMoved = options.force
    ? await moveOrphanedKey(prepared.paths.key, oldCertificate?.certificate, new X509Certificate(leaf.certPem), now)
    : undefined;
  await Promise.all([syncDirectory(prepared.paths.dir), syncDirectory(layout.recordsDir)]);
  const kept = [
    ...(oldCertificate
      ? [`replaced ${prepared.paths.cert}; the old certificate is kept at ${oldCertificate.backup}`]
      : []),
    ...(keyMoved
      ? [
          `moved ${prepared.paths.key} to ${keyMoved}: it is not the key of the new certificate, whose key stays with the requester`,
        ]
      : []),
  ];
  return { ...(result as IssueResult), warnings: [...kept, ...leafWarnings(leaf, prepared.profile, ca)] };
}

/** Copies a certificate about to be replaced to `<cert>.<time>.bak` (same mode), and returns it parsed when it is one. */
async function backUpCertificate(
  certPath: string,
  now: Date,
): Promise<{ backup: string; certificate?: X509Certificate } | undefined> {
  const old = await readFile(certPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (old === undefined) return undefined;
  const backup = backupPath(certPath, now);
  const info = await stat(certPath);
  await writeFileAtomic(backup, old, {
    mode: info.mode & 0o777,
    owner: { uid: info.uid, gid: info.gid },
    exclusive: true,
  });
  let certificate: X509Certificate | undefined;
  try {
    certificate = new X509Certificate(old);
  } catch {
    // Not a certificate: backed up all the same, and no key can be told to belong to it.
  }
  return { backup, certificate };
}

/**
 * A signed certificate's key stays with whoever made the request, so a key file beside it
 * (left by an earlier `cert issue` of the same name) is moved to a 0600 backup unless it is
 * the new certificate's key: no pair is left whose key does not match. An encrypted key is
 * kept only when the certificate it sat beside had the new certificate's public key.
 */
async function moveOrphanedKey(
  keyPath: string,
  replaced: X509Certificate | undefined,
  signed: X509Certificate,
  now: Date,
): Promise<string | undefined> {
  let pem: string;
  try {
    pem = await readFile(keyPath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw pkiError(
      "key-unreadable",
      `${keyPath} cannot be read (${code ?? String(error)}) to tell whether it is the new certificate's key: the certificate is in place; move ${keyPath} away`,
      error,
    );
  }
  const match = keyPemMatches(pem, signed);
  if (match === "match") return undefined;
  if (match === "encrypted" && replaced?.publicKey.equals(signed.publicKey)) return undefined;
  const backup = backupPath(keyPath, now);
  await chmod(keyPath, PRIVATE_FILE_MODE);
  linkExclusive(keyPath, backup);
  await unlink(keyPath);
  await syncDirectory(dirname(keyPath));
  return backup;
}
