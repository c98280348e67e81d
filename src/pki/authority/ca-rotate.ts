import { createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";

import { AsnConvert } from "@peculiar/asn1-schema";

import { notFoundError, PgwardenError, pkiError } from "../../core/errors.js";
import { PRIVATE_FILE_MODE, PUBLIC_FILE_MODE } from "../../core/fs/atomic-write.js";
import { checkPkiDirectory } from "../../core/fs/safe-dir.js";
import { subjectKeyIdentifier } from "../encoding/certificate-der.js";
import { toPem } from "../encoding/der.js";
import { newSerial } from "../encoding/serial.js";
import { describeCertificate, parseExtensions } from "../inspect/certificate-info.js";
import { checkValidityDays, computeValidity, DEFAULT_ROOT_VALIDITY_DAYS } from "../issuing/validity.js";
import { encodePrivateKey, isEncryptedPem, readPrivateKeyFile } from "../keys/key-file.js";
import { DEFAULT_KEY_TYPE, generateKeyPair, type KeyType, parseKeyType } from "../keys/key-type.js";
import type { PkiLayout } from "../pki-layout.js";
import { nextGenerationSubject } from "./ca-generation.js";
import { ROOT_PATH_LENGTH } from "./ca-init.js";
import { caRecord } from "./ca-record.js";
import { type CertificateAuthority, certificateAuthority, readCertificateFile } from "./certificate-authority.js";
import { ROOT_ISSUER } from "./issuers.js";
import { rootCertificateDer } from "./root-certificate.js";
import { keyIdOf, rotatedDir, rotatedPaths } from "./rotated-cas.js";
import { commitRotation, finishRotation, journalPath } from "./rotation-journal.js";
import { writeTrustedRoots } from "./trust-anchors.js";

/*
 * `ca rotate`: a new CA takes the old one's place (`ca/ca.{key,crt}`), and the old one moves
 * to `ca/rotated/`, still trusted and still signing its CRL, until `ca retire`. The swap runs
 * under the journal of `rotation-journal.ts`, so a kill at any moment leaves one CA or the other.
 */

export interface RotateCaOptions {
  /** The root key's passphrase; the new key is encrypted with it when the old one was. */
  readonly passphrase?: string | undefined;
  readonly insecure?: boolean;
  /** Default {@link DEFAULT_KEY_TYPE}. */
  readonly keyType?: KeyType;
  /** Default {@link DEFAULT_ROOT_VALIDITY_DAYS}. */
  readonly days?: number;
  readonly now?: Date;
}

/** The CA that left and the one that took its place. */
export interface RotateCaResult {
  readonly issuerName: string;
  readonly previous: {
    readonly certPath: string;
    readonly keyPath: string;
    readonly subject: string;
    readonly keyId: string;
    readonly notAfter: string;
  };
  readonly current: CertificateAuthority;
  readonly keyEncrypted: boolean;
  readonly warnings: string[];
}

/**
 * Replaces the root CA: a new key and a self-signed certificate whose CN is the old one's next
 * generation (`pgwarden-ca` -> `pgwarden-ca-g2`), valid from now; the old pair moves to
 * `ca/rotated/` and stays trusted. An expired root can be rotated (that is when it is most needed);
 * a passphrase that does not open the old key cannot.
 */
export async function rotateCa(layout: PkiLayout, options: RotateCaOptions = {}): Promise<RotateCaResult> {
  const days = checkValidityDays(options.days ?? DEFAULT_ROOT_VALIDITY_DAYS);
  const keyType = parseKeyType(options.keyType ?? DEFAULT_KEY_TYPE);
  const now = options.now ?? new Date();
  checkPkiDirectory(layout.root);
  await finishRotation(layout);

  const { old, oldKeyText } = await readOldPair(layout, options);
  const encrypt = oldKeyText !== undefined && isEncryptedPem(oldKeyText);

  const { name } = nextGenerationSubject(describeSubjectDer(old.der));
  const key = generateKeyPair(keyType).privateKey;
  const validity = computeValidity({ days, now });
  const der = rootCertificateDer({
    key,
    name,
    keyId: Buffer.from(keyIdOfKey(key), "hex"),
    serial: newSerial(),
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    pathLength: ROOT_PATH_LENGTH,
  });
  const pem = toPem(der, "CERTIFICATE");
  const warnings: string[] = [];
  const current = certificateAuthority({ certPath: layout.caCert, keyPath: layout.caKey }, der, pem, key, {
    now,
    onWarning: (message) => warnings.push(message),
  });
  const oldKeyId = keyIdOf(old.der);
  const newKeyId = keyIdOf(der);
  const keep = rotatedPaths(rotatedDir(layout), ROOT_ISSUER, oldKeyId);

  const info = describeCertificate(der, now);
  // The bundle people paste holds the new root before it takes its place: a kill after the swap leaves it complete.
  await writeTrustedRoots(layout, [pem]);
  await commitRotation(layout, {
    issuerName: ROOT_ISSUER,
    oldKeyId,
    newKeyId,
    cert: layout.caCert,
    files: [
      {
        live: layout.caKey,
        keep: keep.keyPath,
        data: encodePrivateKey(key, encrypt ? options.passphrase : undefined),
        mode: PRIVATE_FILE_MODE,
        suffix: "key",
      },
      { live: layout.caCert, keep: keep.certPath, data: pem, mode: PUBLIC_FILE_MODE, suffix: "crt" },
    ],
    now,
    record: caRecord(layout, info, {
      profile: "ca",
      commonName: "",
      issuer: info.issuer,
      issuerName: ROOT_ISSUER,
      issuerKeyId: newKeyId,
      certPath: layout.caCert,
      keyPath: layout.caKey,
      now,
    }),
  });
  await writeTrustedRoots(layout);
  const oldInfo = describeCertificate(old.der, now);
  return {
    issuerName: ROOT_ISSUER,
    previous: { ...keep, subject: oldInfo.subject, keyId: oldKeyId, notAfter: oldInfo.notAfter },
    current,
    keyEncrypted: encrypt,
    warnings,
  };
}

/** The certificate's subject Name, DER. */
export function describeSubjectDer(der: Buffer): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(parseExtensions(der).certificate.tbsCertificate.subject));
}

/** The hex key id pgwarden gives a key (SHA-1 of its public key, as the SKI of its certificates). */
export function keyIdOfKey(key: KeyObject): string {
  return Buffer.from(subjectKeyIdentifier(createPublicKey(key))).toString("hex");
}

/**
 * The CA's certificate and key as they stand. Read while another `ca rotate` swaps them, they may
 * be half of each: then that rotation is waited for and the pair read again.
 */
async function readOldPair(
  layout: PkiLayout,
  options: RotateCaOptions,
): Promise<{ old: { der: Buffer; pem: string }; oldKeyText: string | undefined; oldKey: KeyObject }> {
  for (let attempt = 0; ; attempt++) {
    const old = await readCertificateFile(layout.caCert, "CA certificate").catch((error: unknown) => {
      if (error instanceof PgwardenError && error.code === "cert-missing")
        throw notFoundError("ca-missing", `no CA in ${layout.caDir} to rotate: run pgwarden ca init first`);
      throw error;
    });
    const oldKeyText = await readFile(layout.caKey, "utf8").catch(() => undefined);
    const oldKey = await readPrivateKeyFile(layout.caKey, {
      label: "CA key",
      passphrase: options.passphrase,
      insecure: options.insecure ?? false,
    });
    if (new X509Certificate(old.der).checkPrivateKey(oldKey)) return { old, oldKeyText, oldKey };
    if (attempt < 3 && existsSync(journalPath(layout))) {
      await finishRotation(layout);
      continue;
    }
    throw pkiError(
      "ca-mismatch",
      `${layout.caCert} was not made from ${layout.caKey}: restore the matching pair before rotating`,
    );
  }
}
