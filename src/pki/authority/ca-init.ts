import "reflect-metadata";

import { createPublicKey } from "node:crypto";
import { access, readFile, unlink } from "node:fs/promises";

import { AsnConvert } from "@peculiar/asn1-schema";
import type { Name } from "@peculiar/asn1-x509";

import { notFoundError, pkiError } from "../../core/errors.js";
import {
  ensureDirectory,
  FileExistsError,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  syncDirectory,
  writeFileAtomic,
} from "../../core/fs/atomic-write.js";
import { subjectKeyIdentifier } from "../encoding/certificate-der.js";
import { buildName, type DistinguishedName } from "../encoding/certificate-extensions.js";
import { toPem } from "../encoding/der.js";
import { newSerial } from "../encoding/serial.js";
import { describeCertificate } from "../inspect/certificate-info.js";
import { checkValidityDays, computeValidity, DEFAULT_ROOT_VALIDITY_DAYS } from "../issuing/validity.js";
import { encodePrivateKey, isEncryptedPem, readPrivateKeyFile } from "../keys/key-file.js";
import { DEFAULT_KEY_TYPE, generateKeyPair, type KeyType, parseKeyType } from "../keys/key-type.js";
import { validateCommonName } from "../names/common-name.js";
import type { PkiLayout } from "../pki-layout.js";
import { addRecords } from "../records/certificate-records.js";
import { shellWord } from "../trust/conninfo.js";
import { caRecord } from "./ca-record.js";
import { caKeyProblem } from "./ca-usability.js";
import { type CertificateAuthority, certificateAuthority, readCertificateFile } from "./certificate-authority.js";
import { certificatesSignedBy, type SignedCertificate } from "./certificates-signed-by.js";
import { rootCertificateDer } from "./root-certificate.js";

/** A root may sign intermediates, which sign leaves: one level below it (as Pigsty's CA). */
export const ROOT_PATH_LENGTH = 1;
export const DEFAULT_CA_COMMON_NAME = "pgwarden-ca";

export interface InitCaOptions {
  /** Key type of a new root key. Default {@link DEFAULT_KEY_TYPE}. */
  keyType?: KeyType;
  /**
   * Subject of a new root certificate. Default CN `pgwarden-ca`; when ca.key already signed
   * certificates under the PKI, their issuer's name (a different one given here is refused).
   */
  subject?: Partial<DistinguishedName>;
  /** Lifetime of a new root certificate. Default {@link DEFAULT_ROOT_VALIDITY_DAYS}. */
  days?: number;
  /** Encrypts a new key (PKCS#8, AES-256) and decrypts an adopted one. */
  passphrase?: string | undefined;
  /** Fail when there is no CA instead of creating one (Pigsty's `ca_method: copy`); never writes a CA certificate. */
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
  /** Set when a new ca.crt took the issuer name of certificates its key had already signed. */
  readonly restoredFrom?: { readonly issuer: string; readonly certificates: readonly string[] };
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
  // Checked first, as the CLI's --days and --key-type are, whether or not a CA is made.
  const days = checkValidityDays(options.days ?? DEFAULT_ROOT_VALIDITY_DAYS);
  const keyType = parseKeyType(options.keyType ?? DEFAULT_KEY_TYPE);
  const now = options.now ?? new Date();
  const subject: DistinguishedName = {
    commonName: validateCommonName(options.subject?.commonName ?? DEFAULT_CA_COMMON_NAME, "CA CN"),
    ...(options.subject?.organization
      ? { organization: validateCommonName(options.subject.organization, "--org") }
      : {}),
    ...(options.subject?.organizationalUnit
      ? { organizationalUnit: validateCommonName(options.subject.organizationalUnit, "--ou") }
      : {}),
  };
  const subjectGiven = [
    options.subject?.commonName,
    options.subject?.organization,
    options.subject?.organizationalUnit,
  ].some((value) => value !== undefined);
  const [haveKey, haveCert] = await Promise.all([exists(layout.caKey), exists(layout.caCert)]);
  const paths = { certPath: layout.caCert, keyPath: layout.caKey };
  const readKey = () =>
    readPrivateKeyFile(layout.caKey, {
      label: "CA key",
      passphrase: options.passphrase,
      insecure: options.insecure ?? false,
    });

  if (haveCert && !haveKey) {
    throw notFoundError(
      "ca-key-missing",
      `${layout.caCert} exists but ${layout.caKey} does not: put the matching ca.key back (pgwarden never makes a key that does not match), or move ca.crt away to start a new CA`,
    );
  }
  if (haveCert && haveKey) {
    const key = await readKey();
    const { der, pem } = await readCertificateFile(layout.caCert, "CA certificate");
    const warnings: string[] = [];
    const ca = certificateAuthority(paths, der, pem, key, { now, onWarning: (message) => warnings.push(message) });
    const keyEncrypted = await isKeyEncrypted(layout.caKey);
    if (options.passphrase && !keyEncrypted) warnings.push("ca.key is not encrypted, so the passphrase was not used");
    return { action: "adopted", ca, keyEncrypted, warnings };
  }
  if (!haveKey && options.noCreate) {
    throw notFoundError(
      "ca-missing",
      `no CA in ${layout.caDir} and --no-create was given: copy ca.key (and ca.crt) there first`,
    );
  }
  if (options.noCreate) {
    // Pigsty's `ca_method: copy` means "use what is there": a new ca.crt is a new CA, never written unasked.
    throw notFoundError(
      "ca-cert-missing",
      `${layout.caCert} is missing and --no-create was given, so no CA certificate is written: copy the original ca.crt there ` +
        `(Pigsty puts a copy in /etc/pki/ca.crt on every node), or run ca init without --no-create to sign a new one from ca.key`,
    );
  }

  const created = !haveKey;
  const key = created ? generateKeyPair(keyType).privateKey : await readKey();
  const keyProblem = caKeyProblem(layout.caKey, key);
  if (keyProblem) throw pkiError("ca-key-unsupported", keyProblem);
  const publicKey = createPublicKey(key);
  const validity = computeValidity({ days, now });
  const orphans = created ? [] : await certificatesSignedBy(layout, publicKey);
  const restored =
    orphans.length > 0 ? restoredIdentity(layout, orphans, subjectGiven ? subject : undefined) : undefined;
  const keyId = restored?.keyId ?? subjectKeyIdentifier(publicKey);
  const name = restored?.name ?? Buffer.from(AsnConvert.serialize(buildName(subject)));
  // A restored root is valid from the oldest certificate it signed, so none of them predates its issuer.
  const notBefore = restored && restored.notBefore < validity.notBefore ? restored.notBefore : validity.notBefore;
  const der = rootCertificateDer({
    key,
    name,
    keyId,
    serial: restored?.serial ?? newSerial(),
    notBefore,
    notAfter: validity.notAfter,
    pathLength: ROOT_PATH_LENGTH,
  });
  const pem = toPem(der, "CERTIFICATE");
  const warnings: string[] = [];
  // Checked before anything is written: a key pgwarden cannot sign with, or RSA below 2048 bits, writes nothing.
  const ca = certificateAuthority(paths, der, pem, key, { now, onWarning: (message) => warnings.push(message) });
  if (restored) warnings.push(...restored.notes(validity.notAfter));

  await ensureDirectory(layout.root, PRIVATE_DIR_MODE);
  await ensureDirectory(layout.caDir, PRIVATE_DIR_MODE);
  let keyWritten = false;
  try {
    // Exclusive: two `ca init` racing must not leave a ca.crt from one key and a ca.key from another.
    if (created) {
      await writeFileAtomic(layout.caKey, encodePrivateKey(key, options.passphrase), {
        mode: PRIVATE_FILE_MODE,
        exclusive: true,
      });
      keyWritten = true;
    }
    await writeFileAtomic(layout.caCert, pem, { mode: PUBLIC_FILE_MODE, exclusive: true });
  } catch (error) {
    if (keyWritten) await unlink(layout.caKey).catch(() => undefined);
    if (error instanceof FileExistsError) {
      throw pkiError(
        "ca-race",
        `${error.path} appeared while this CA was being made (another pgwarden ca init?): run ca init again to adopt it`,
      );
    }
    throw error;
  }
  await syncDirectory(layout.caDir);
  const info = describeCertificate(der, now);
  await addRecords(
    layout,
    [
      caRecord(layout, info, {
        profile: "ca",
        commonName: subject.commonName,
        issuer: info.issuer,
        certPath: layout.caCert,
        keyPath: layout.caKey,
        now,
      }),
    ],
    now,
  );
  return {
    action: created ? "created" : "reissued",
    ca,
    keyEncrypted: created ? Boolean(options.passphrase) : await isKeyEncrypted(layout.caKey),
    warnings,
    ...(restored
      ? { restoredFrom: { issuer: restored.issuerText, certificates: orphans.map((item) => item.path) } }
      : {}),
  };
}

/** The identity a re-signed ca.crt takes so that the certificates its key already signed keep verifying. */
interface RestoredIdentity {
  /** The issuer Name's DER, byte for byte as those certificates carry it. */
  readonly name: Buffer;
  readonly issuerText: string;
  /** Their authority key identifier, so the new SKI matches it. */
  readonly keyId: Uint8Array | undefined;
  /** Their authority key identifier's serial, when they name one. */
  readonly serial: string | undefined;
  readonly notBefore: Date;
  readonly notes: (notAfter: Date) => string[];
}

/** O, OU and CN as `--org`, `--ou` and `--cn` can say them; undefined for a name those flags cannot write. */
function flagsFor(issuer: Name): string | undefined {
  const flags: Record<string, string> = { "2.5.4.10": "--org", "2.5.4.11": "--ou", "2.5.4.3": "--cn" };
  const parts: string[] = [];
  for (const rdn of issuer) {
    for (const attribute of rdn) {
      const flag = flags[attribute.type];
      if (!flag || parts.some((part) => part.startsWith(flag))) return undefined;
      parts.push(`${flag} ${JSON.stringify(attribute.value.toString())}`);
    }
  }
  return parts.join(" ");
}

function sameAttributes(a: Name, b: Name): boolean {
  const flat = (name: Name) =>
    name.flatMap((rdn) => rdn.map((attribute) => `${attribute.type}=${attribute.value.toString()}`)).join("\n");
  return flat(a) === flat(b);
}

/**
 * The name every certificate signed by this key has as its issuer: a re-made ca.crt must
 * carry it, or all of them are orphaned (Pigsty's `pigsty-ca` re-made as `pgwarden-ca`).
 * Refuses (exit 7) when they disagree, or when `--cn/--org/--ou` ask for another name.
 */
function restoredIdentity(
  layout: PkiLayout,
  orphans: readonly SignedCertificate[],
  wanted: DistinguishedName | undefined,
): RestoredIdentity {
  const first = orphans[0] as SignedCertificate;
  const names = new Map(orphans.map((item) => [item.issuerDer.toString("hex"), item] as const));
  if (names.size > 1) {
    const examples = [...names.values()].map((item) => `"${item.issuerText}" in ${item.path}`).join(", ");
    throw pkiError(
      "ca-name-ambiguous",
      `certificates signed by ${layout.caKey} name different issuers (${examples}): restore the original ca.crt to ${layout.caCert}`,
    );
  }
  const count = `${orphans.length} certificate${orphans.length === 1 ? "" : "s"}`;
  if (wanted && !sameAttributes(buildName(wanted), first.issuer)) {
    const flags = flagsFor(first.issuer);
    const fix = flags
      ? `run ca init with ${flags} (or with none of --cn/--org/--ou)`
      : "run ca init without --cn/--org/--ou";
    throw pkiError(
      "ca-name-mismatch",
      `${count} under ${layout.root} (e.g. ${first.path}) ${orphans.length === 1 ? "was" : "were"} issued by this ca.key as "${first.issuerText}", ` +
        `which a new ca.crt named otherwise would orphan: ${fix}, or restore the original ca.crt`,
    );
  }
  const notBefore = new Date(Math.min(...orphans.map((item) => item.notBefore.getTime())));
  const latest = Math.max(...orphans.map((item) => item.notAfter.getTime()));
  return {
    name: first.issuerDer,
    issuerText: first.issuerText,
    keyId: orphans.find((item) => item.authorityKeyId)?.authorityKeyId,
    serial: orphans.find((item) => item.authoritySerial)?.authoritySerial,
    notBefore,
    notes: (notAfter) => [
      `signed ca.crt as "${first.issuerText}", the issuer of the ${count} ca.key already signed (e.g. ${first.path}), so they keep verifying`,
      ...(latest > notAfter.getTime()
        ? [
            `some of them are valid until ${new Date(latest).toISOString()}, after the new ca.crt expires (${notAfter.toISOString()}): ` +
              "pass a larger --days to cover them",
          ]
        : []),
    ],
  };
}

/** Where the warning below suggests keeping the passphrase (the example of ca init's help). */
export const SUGGESTED_PASSPHRASE_FILE = "~/.pgwarden-ca-pass";

/**
 * The warning for a CA key written unencrypted, with the command that encrypts it in place: PKCS#8,
 * AES-256 (what pgwarden writes and reads), 0600 from birth (umask), swapped in by a rename, and the
 * passphrase read from a file, as pgwarden reads it afterwards.
 */
export function unencryptedCaKeyWarning(keyPath: string): string {
  const key = shellWord(keyPath);
  const next = shellWord(`${keyPath}.new`);
  const file = `"file:$HOME/${SUGGESTED_PASSPHRASE_FILE.slice(2)}"`;
  return (
    `the CA key ${keyPath} is not encrypted: anyone who can read it can sign certificates. ` +
    `To encrypt it with the passphrase written in ${SUGGESTED_PASSPHRASE_FILE} (mode 0600): ` +
    `(umask 077 && openssl pkcs8 -topk8 -v2 aes-256-cbc -in ${key} -out ${next} -passout ${file}) && mv ${next} ${key}; ` +
    `then give pgwarden --passphrase-file ${SUGGESTED_PASSPHRASE_FILE} (ca init --no-passphrase makes an unencrypted key without this warning)`
  );
}

async function isKeyEncrypted(path: string): Promise<boolean> {
  return isEncryptedPem(await readFile(path, "utf8"));
}
