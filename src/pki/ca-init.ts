import { createPublicKey } from "node:crypto";
import { access, readFile, unlink } from "node:fs/promises";
import { notFoundError, pkiError } from "../errors.js";
import { FileExistsError, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, ensureDirectory, syncDirectory, writeFileAtomic } from "../fs/atomic-write.js";
import {
  authorityKeyIdExtension,
  basicConstraintsExtension,
  buildName,
  keyIdentifier,
  keyUsageExtension,
  signCertificate,
  subjectKeyIdExtension,
  type DistinguishedName,
} from "./certificate-builder.js";
import { certificateAuthority, readCertificateFile, type CertificateAuthority } from "./certificate-authority.js";
import { validateCommonName } from "./common-name.js";
import { toPem } from "./der.js";
import { describeCertificate } from "./certificate-info.js";
import { addRecords } from "./inventory.js";
import { relative } from "node:path";
import { DEFAULT_KEY_TYPE, generateKeyPair, type KeyType } from "./key-type.js";
import { encodePrivateKey, isEncryptedPem, readPrivateKeyFile } from "./key-file.js";
import type { PkiLayout } from "./pki-layout.js";
import { newSerial } from "./serial.js";
import { computeValidity, DEFAULT_ROOT_VALIDITY_DAYS } from "./validity.js";

/** A root may sign intermediates, which sign leaves: one level below it (as Pigsty's CA). */
export const ROOT_PATH_LENGTH = 1;
export const DEFAULT_CA_COMMON_NAME = "pgwarden-ca";

export interface InitCaOptions {
  /** Key type of a new root key. Default {@link DEFAULT_KEY_TYPE}. */
  keyType?: KeyType;
  /** Subject of a new root certificate. Default CN `pgwarden-ca`. */
  subject?: Partial<DistinguishedName>;
  /** Lifetime of a new root certificate. Default {@link DEFAULT_ROOT_VALIDITY_DAYS}. */
  days?: number;
  /** Encrypts a new key (PKCS#8, AES-256) and decrypts an adopted one. */
  passphrase?: string | undefined;
  /** Fail when there is no CA instead of creating one (Pigsty's `ca_method: copy`). */
  noCreate?: boolean;
  /** Accept an adopted key that group or others can read. */
  insecure?: boolean;
  /** Injected clock. Default now. */
  now?: Date;
}

/** What `ca init` did: made everything, signed a new ca.crt for an existing key, or reused both. */
export type CaInitAction = "created" | "reissued" | "adopted";

export interface InitCaResult {
  readonly action: CaInitAction;
  readonly ca: CertificateAuthority;
  readonly keyEncrypted: boolean;
  readonly warnings: string[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Creates the root CA in `<pki>/ca/`, or adopts what is there as Pigsty does, without
 * its traps: a ca.crt without its key is an error, never a fresh key that does not match.
 */
export async function initCa(layout: PkiLayout, options: InitCaOptions = {}): Promise<InitCaResult> {
  const now = options.now ?? new Date();
  const subject: DistinguishedName = {
    commonName: validateCommonName(options.subject?.commonName ?? DEFAULT_CA_COMMON_NAME, "CA CN"),
    ...(options.subject?.organization ? { organization: validateCommonName(options.subject.organization, "--org") } : {}),
    ...(options.subject?.organizationalUnit ? { organizationalUnit: validateCommonName(options.subject.organizationalUnit, "--ou") } : {}),
  };
  const days = options.days ?? DEFAULT_ROOT_VALIDITY_DAYS;
  const [haveKey, haveCert] = await Promise.all([exists(layout.caKey), exists(layout.caCert)]);
  const paths = { certPath: layout.caCert, keyPath: layout.caKey };
  const readKey = () => readPrivateKeyFile(layout.caKey, { label: "CA key", passphrase: options.passphrase, insecure: options.insecure ?? false });

  if (haveCert && !haveKey) {
    throw notFoundError(
      "ca-key-missing",
      `${layout.caCert} exists but ${layout.caKey} does not: put the matching ca.key back (pgwarden never makes a key that does not match), or move ca.crt away to start a new CA`,
    );
  }
  if (haveCert && haveKey) {
    const key = await readKey();
    const { der, pem } = await readCertificateFile(layout.caCert, "CA certificate");
    const ca = certificateAuthority(paths, der, pem, key);
    const keyEncrypted = await isKeyEncrypted(layout.caKey);
    const warnings = options.passphrase && !keyEncrypted ? ["ca.key is not encrypted, so the passphrase was not used"] : [];
    return { action: "adopted", ca, keyEncrypted, warnings };
  }
  if (!haveKey && options.noCreate) {
    throw notFoundError("ca-missing", `no CA in ${layout.caDir} and --no-create was given: copy ca.key (and ca.crt) there first`);
  }

  await ensureDirectory(layout.root, PRIVATE_DIR_MODE);
  await ensureDirectory(layout.caDir, PRIVATE_DIR_MODE);
  const created = !haveKey;
  const key = created ? generateKeyPair(options.keyType ?? DEFAULT_KEY_TYPE).privateKey : await readKey();
  const publicKey = createPublicKey(key);
  const keyId = keyIdentifier(publicKey);
  const validity = computeValidity({ days, now });
  const name = buildName(subject);
  const der = signCertificate(
    {
      serial: newSerial(),
      subject: name,
      issuer: name,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      publicKey,
      extensions: [
        basicConstraintsExtension(true, ROOT_PATH_LENGTH),
        keyUsageExtension(["digitalSignature", "keyCertSign", "cRLSign"]),
        subjectKeyIdExtension(keyId),
        authorityKeyIdExtension(keyId),
      ],
    },
    key,
  );
  const pem = toPem(der, "CERTIFICATE");
  let keyWritten = false;
  try {
    // Exclusive: two `ca init` racing must not leave a ca.crt from one key and a ca.key from another.
    if (created) {
      await writeFileAtomic(layout.caKey, encodePrivateKey(key, options.passphrase), { mode: PRIVATE_FILE_MODE, exclusive: true });
      keyWritten = true;
    }
    await writeFileAtomic(layout.caCert, pem, { mode: PUBLIC_FILE_MODE, exclusive: true });
  } catch (error) {
    if (keyWritten) await unlink(layout.caKey).catch(() => undefined);
    if (error instanceof FileExistsError) {
      throw pkiError("ca-race", `${error.path} appeared while this CA was being made (another pgwarden ca init?): run ca init again to adopt it`);
    }
    throw error;
  }
  await syncDirectory(layout.caDir);
  const ca = certificateAuthority(paths, der, pem, key);
  const info = describeCertificate(der, now);
  await addRecords(layout, [{
    version: 1,
    serial: info.serial,
    commonName: subject.commonName,
    profile: "ca",
    group: "ca",
    origin: "issued",
    keyType: info.keyType,
    subject: info.subject,
    issuer: info.issuer,
    subjectAltNames: [],
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    fingerprintSha256: info.fingerprintSha256,
    certPath: relative(layout.root, layout.caCert),
    keyPath: relative(layout.root, layout.caKey),
    issuedAt: now.toISOString(),
  }], now);
  return { action: created ? "created" : "reissued", ca, keyEncrypted: created ? Boolean(options.passphrase) : await isKeyEncrypted(layout.caKey), warnings: [] };
}

async function isKeyEncrypted(path: string): Promise<boolean> {
  return isEncryptedPem(await readFile(path, "utf8"));
}
