import "reflect-metadata";

import { createPublicKey, type KeyObject } from "node:crypto";
import { access, copyFile, readFile, unlink } from "node:fs/promises";
import { relative } from "node:path";

import { AsnConvert } from "@peculiar/asn1-schema";
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from "@peculiar/asn1-x509";

import { pkiError, usageError } from "../../core/errors.js";
import {
  ensureDirectory,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  syncDirectory,
  writeTempFile,
} from "../../core/fs/atomic-write.js";
import { backupPath } from "../../core/fs/backup.js";
import {
  signCertificate,
  subjectKeyIdentifier,
  subjectKeyIdExtensionDer,
  validityDer,
} from "../encoding/certificate-der.js";
import {
  authorityKeyIdExtension,
  basicConstraintsExtension,
  encodeExtension,
  encodeSignatureAlgorithm,
  keyUsageExtension,
} from "../encoding/certificate-extensions.js";
import { toPem } from "../encoding/der.js";
import { newSerial } from "../encoding/serial.js";
import { describeCertificate, formatName } from "../inspect/certificate-info.js";
import { commitPairs, recoverInterruptedWrites } from "../issuing/pair-journal.js";
import { checkValidityDays, computeValidity, DEFAULT_INTERMEDIATE_VALIDITY_DAYS } from "../issuing/validity.js";
import { encodePrivateKey, isEncryptedPem } from "../keys/key-file.js";
import {
  DEFAULT_KEY_TYPE,
  generateKeyPair,
  type KeyType,
  parseKeyType,
  signatureAlgorithmFor,
} from "../keys/key-type.js";
import type { PkiLayout } from "../pki-layout.js";
import { caRecord } from "./ca-record.js";
import { caKeyProblem } from "./ca-usability.js";
import { type CertificateAuthority, loadCa } from "./certificate-authority.js";
import { issuerAnchorPath, issuerFiles, ROOT_ISSUER, validateIntermediateName } from "./issuers.js";
import { nameConstraintsExtension, parsePermittedNames, type PermittedNames } from "./name-constraints-extension.js";

/*
 * `ca intermediate create`: an issuing CA under the root (pathlen 0, keyCertSign + cRLSign, optional
 * name constraints) in `ca/<name>-ca.{key,crt}`, and its anchor twin `ca/<name>-ca.anchor.crt`: the
 * same subject and key, self-signed. A server that must trust this issuer alone for client
 * certificates installs the twin as `ssl_ca_file`: the intermediate itself there is no anchor
 * (OpenSSL wants a self-signed top and PostgreSQL never sets X509_V_FLAG_PARTIAL_CHAIN), the root
 * there trusts every issuer under it, and a `TRUSTED CERTIFICATE` with trust settings fails every
 * login once a CRL is installed (CRL_CHECK_ALL finds no CRL for the anchor). See the README.
 */

/** An intermediate may sign leaves only. */
export const INTERMEDIATE_PATH_LENGTH = 0;

export interface CreateIntermediateOptions {
  /** Issuer name: `server`, `client`, ... (`issuers.ts`). */
  readonly name: string;
  /** Default {@link DEFAULT_INTERMEDIATE_VALIDITY_DAYS}; cut back to the root's notAfter, with a warning. */
  readonly days?: number;
  /** Default {@link DEFAULT_KEY_TYPE}. */
  readonly keyType?: KeyType;
  /** `--permit-dns` values: the intermediate may only sign these DNS names (and their subdomains). */
  readonly permitDns?: readonly string[];
  /** `--permit-ip` CIDR blocks: the intermediate may only sign addresses inside them. */
  readonly permitIp?: readonly string[];
  /** The root key's passphrase; the intermediate's key is encrypted with it when the root's is. */
  readonly passphrase?: string | undefined;
  /** Accept a root key that group or others can read. */
  readonly insecure?: boolean;
  /** Replace an existing intermediate of this name, keeping the old files as `.bak`. Default false. */
  readonly force?: boolean;
  /** Injected clock. Default now. */
  readonly now?: Date;
  /** Told about a root key read despite --insecure. */
  readonly onWarning?: (message: string) => void;
}

export interface CreateIntermediateResult {
  readonly name: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** The self-signed twin servers trust for this issuer's client certificates. */
  readonly anchorPath: string;
  readonly der: Buffer;
  readonly keyEncrypted: boolean;
  readonly permitted: PermittedNames;
  /** Old files kept aside by --force. */
  readonly backups: readonly string[];
  readonly warnings: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The intermediate's subject: the root's O and OU, and CN `<root CN>-<name>`, so `openssl x509 -text` says where it sits. */
function intermediateName(root: CertificateAuthority, name: string): Name {
  const OID_COMMON_NAME = "2.5.4.3";
  const rdns = root.name.filter((rdn) => rdn.every((attribute) => attribute.type !== OID_COMMON_NAME));
  const rootCn =
    root.name.flatMap((rdn) => rdn.filter((attribute) => attribute.type === OID_COMMON_NAME))[0]?.value.toString() ??
    "pgwarden-ca";
  const cn = new RelativeDistinguishedName([
    new AttributeTypeAndValue({
      type: OID_COMMON_NAME,
      value: new AttributeValue({ utf8String: `${rootCn}-${name}` }),
    }),
  ]);
  return new Name([...rdns, cn]);
}

/**
 * The extensions of an intermediate and of its anchor twin, which differ only in their authority key identifier.
 * `permitted` is either the names to build the NameConstraints from, or an encoded NameConstraints extension
 * copied from the intermediate being replaced (`ca rotate --intermediate`).
 */
function caExtensions(keyId: Uint8Array, authorityKeyId: Uint8Array, permitted: PermittedNames | Buffer): Buffer[] {
  const constraints = Buffer.isBuffer(permitted) ? permitted : nameConstraintsExtension(permitted);
  return [
    encodeExtension(basicConstraintsExtension(true, INTERMEDIATE_PATH_LENGTH)),
    encodeExtension(keyUsageExtension(["keyCertSign", "cRLSign"])),
    subjectKeyIdExtensionDer(keyId),
    encodeExtension(authorityKeyIdExtension(authorityKeyId)),
    ...(constraints ? [Buffer.isBuffer(constraints) ? constraints : encodeExtension(constraints)] : []),
  ];
}

/** An intermediate certificate and its anchor twin, DER; `clamped` when its notAfter was cut back to the root's. */
export interface SignedIntermediate {
  readonly der: Buffer;
  readonly anchorDer: Buffer;
  readonly clamped: boolean;
}

/**
 * Signs intermediate `name` (key `key`) with `root`, and its self-signed anchor twin. `subject` (DER) replaces the
 * default `<root CN>-<name>` (`ca rotate --intermediate` gives the next generation of the old one's); `permitted`
 * is as {@link caExtensions} takes it.
 */
export function signIntermediate(
  root: CertificateAuthority,
  key: KeyObject,
  name: string,
  days: number,
  permitted: PermittedNames | Buffer,
  now: Date,
  subjectDer?: Buffer,
): SignedIntermediate {
  const validity = computeValidity({ days, now, issuerNotAfter: root.notAfter, issuerNotBefore: root.notBefore });
  const publicKey = createPublicKey(key);
  const keyId = subjectKeyIdentifier(publicKey);
  const subject = subjectDer ?? Buffer.from(AsnConvert.serialize(intermediateName(root, name)));
  const spki = publicKey.export({ type: "spki", format: "der" });
  const dates = validityDer(validity.notBefore, validity.notAfter);
  const rootAlgorithm = signatureAlgorithmFor(root.key);
  const der = signCertificate(
    {
      serial: newSerial(),
      signatureAlgorithm: encodeSignatureAlgorithm(rootAlgorithm),
      issuer: new Uint8Array(AsnConvert.serialize(root.name)),
      validity: dates,
      subject,
      subjectPublicKeyInfo: spki,
      extensions: caExtensions(keyId, root.keyId, permitted),
    },
    rootAlgorithm,
    root.key,
  );
  // The twin: the same subject, key, validity and constraints, self-signed, so it is its own trust anchor.
  const ownAlgorithm = signatureAlgorithmFor(key);
  const anchorDer = signCertificate(
    {
      serial: newSerial(),
      signatureAlgorithm: encodeSignatureAlgorithm(ownAlgorithm),
      issuer: subject,
      validity: dates,
      subject,
      subjectPublicKeyInfo: spki,
      extensions: caExtensions(keyId, keyId, permitted),
    },
    ownAlgorithm,
    key,
  );
  return { der, anchorDer, clamped: validity.clamped };
}

/**
 * Creates the intermediate `options.name` under the root of `layout`: key (0600 from birth, encrypted
 * with the root's passphrase when the root key is encrypted), certificate and anchor twin, written under
 * the pair journal, so a kill leaves the old three files or the new three. An existing one is refused
 * (exit 2) unless `force`, which keeps the old files as `.bak`. Everything is checked before the root key
 * is read, and the root before anything is written.
 */
export async function createIntermediate(
  layout: PkiLayout,
  options: CreateIntermediateOptions,
): Promise<CreateIntermediateResult> {
  const name = validateIntermediateName(options.name);
  const days = checkValidityDays(options.days ?? DEFAULT_INTERMEDIATE_VALIDITY_DAYS);
  const keyType = parseKeyType(options.keyType ?? DEFAULT_KEY_TYPE);
  const permitted = parsePermittedNames(options.permitDns ?? [], options.permitIp ?? []);
  const now = options.now ?? new Date();
  const files = issuerFiles(layout, name);
  const anchorPath = issuerAnchorPath(layout, name);
  const force = options.force ?? false;
  const present = (
    await Promise.all(
      [files.keyPath, files.certPath, anchorPath].map(async (path) => ((await exists(path)) ? path : undefined)),
    )
  ).filter((path): path is string => path !== undefined);
  if (present.length > 0 && !force)
    throw usageError(
      "intermediate-exists",
      `${present[0]} already exists: the intermediate "${name}" is there; ` +
        "pass --force to replace it (the old files are kept as .bak), or choose another --name",
    );
  const root = await loadCa(layout, {
    passphrase: options.passphrase,
    insecure: options.insecure ?? false,
    now,
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  const rootEncrypted = isEncryptedPem(await readFile(layout.caKey, "utf8"));
  const key = generateKeyPair(keyType).privateKey;
  const problem = caKeyProblem(files.keyPath, key);
  if (problem) throw pkiError("ca-key-unsupported", problem);
  const signed = signIntermediate(root, key, name, days, permitted, now);
  const warnings: string[] = [];
  if (signed.clamped)
    warnings.push(
      `the intermediate "${name}" ends with the root on ${root.notAfter.toISOString()}, not in ${days} days: ` +
        "an issuer never outlives its own (renew the root to go further)",
    );
  const info = describeCertificate(signed.der, now);
  const record = caRecord(layout, info, {
    profile: "intermediate",
    commonName: name,
    issuer: formatName(root.certificate.subject),
    issuerName: ROOT_ISSUER,
    issuerKeyId: Buffer.from(root.keyId).toString("hex"),
    certPath: files.certPath,
    keyPath: files.keyPath,
    now,
  });

  await recoverInterruptedWrites(layout);
  await ensureDirectory(layout.root, PRIVATE_DIR_MODE);
  await ensureDirectory(layout.caDir, PRIVATE_DIR_MODE);
  const temps: string[] = [];
  const stage = async (path: string, data: string, mode: number) => {
    const temp = await writeTempFile(path, data, { mode });
    temps.push(temp);
    return { temp: relative(layout.root, temp), target: relative(layout.root, path) };
  };
  let moves;
  try {
    moves = {
      key: await stage(
        files.keyPath,
        encodePrivateKey(key, rootEncrypted ? options.passphrase : undefined),
        PRIVATE_FILE_MODE,
      ),
      cert: await stage(files.certPath, toPem(signed.der, "CERTIFICATE"), PUBLIC_FILE_MODE),
      chain: await stage(anchorPath, toPem(signed.anchorDer, "CERTIFICATE"), PUBLIC_FILE_MODE),
    };
  } catch (error) {
    await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
    throw error;
  }
  // Backups by copy before the renames: the old files stay in place until the new ones replace them.
  const backups: string[] = [];
  for (const path of present) {
    const backup = backupPath(path, now);
    await copyFile(path, backup);
    backups.push(backup);
  }
  const [failure] = await commitPairs(layout, [{ ...moves, record }], { replace: force, now });
  if (failure)
    throw usageError(
      "intermediate-exists",
      `${failure.path} appeared while the intermediate was being made (another pgwarden?): run again with --force to replace it`,
    );
  await Promise.all([syncDirectory(layout.caDir), syncDirectory(layout.recordsDir)]);
  return {
    name,
    certPath: files.certPath,
    keyPath: files.keyPath,
    anchorPath,
    der: signed.der,
    keyEncrypted: rootEncrypted && options.passphrase !== undefined,
    permitted,
    backups,
    warnings,
  };
}
