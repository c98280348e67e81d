import "reflect-metadata";

import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";

import { AsnConvert } from "@peculiar/asn1-schema";

import { notFoundError, PgwardenError, pkiError } from "../../core/errors.js";
import { PRIVATE_FILE_MODE, PUBLIC_FILE_MODE } from "../../core/fs/atomic-write.js";
import { checkPkiDirectory } from "../../core/fs/safe-dir.js";
import { toPem } from "../encoding/der.js";
import { describeCertificate, formatName, parseExtensions } from "../inspect/certificate-info.js";
import { checkValidityDays, DEFAULT_INTERMEDIATE_VALIDITY_DAYS } from "../issuing/validity.js";
import { encodePrivateKey, isEncryptedPem, readPrivateKeyFile } from "../keys/key-file.js";
import { DEFAULT_KEY_TYPE, generateKeyPair, type KeyType, parseKeyType } from "../keys/key-type.js";
import type { PkiLayout } from "../pki-layout.js";
import { nextGenerationSubject } from "./ca-generation.js";
import { caRecord } from "./ca-record.js";
import { describeSubjectDer, type RotateCaResult } from "./ca-rotate.js";
import { caKeyProblem } from "./ca-usability.js";
import { certificateAuthority, loadCa, readCertificateFile } from "./certificate-authority.js";
import { signIntermediate } from "./intermediate-create.js";
import { issuerAnchorPath, issuerFiles, ROOT_ISSUER, validateIntermediateName } from "./issuers.js";
import { keyIdOf, rotatedDir, rotatedPaths } from "./rotated-cas.js";
import { commitRotation, finishRotation } from "./rotation-journal.js";

/*
 * `ca rotate --intermediate NAME`: a new intermediate NAME, signed by the current root, takes the place of
 * `ca/NAME-ca.{key,crt}` and its anchor twin; the old three files move to `ca/rotated/NAME-<key id>.*`,
 * still trusted and signing their CRL until `ca retire`. New leaves of NAME's profile come from the new
 * one at once. The swap runs under the rotation journal: a kill at any moment leaves the old or the new.
 */

const OID_NAME_CONSTRAINTS = "2.5.29.30";

export interface RotateIntermediateOptions {
  /** The CA keys' passphrase (the root's, which the intermediates' keys share). */
  readonly passphrase?: string | undefined;
  readonly insecure?: boolean;
  /** Default {@link DEFAULT_KEY_TYPE}. */
  readonly keyType?: KeyType;
  /** Default {@link DEFAULT_INTERMEDIATE_VALIDITY_DAYS}; cut back to the root's notAfter, with a warning. */
  readonly days?: number;
  readonly now?: Date;
}

/** The old intermediate's NameConstraints extension, encoded as it was, so the new one permits exactly the same. */
function nameConstraintsOf(der: Buffer): Buffer | undefined {
  const extension = (parseExtensions(der).certificate.tbsCertificate.extensions ?? []).find(
    (candidate) => candidate.extnID === OID_NAME_CONSTRAINTS,
  );
  return extension ? Buffer.from(AsnConvert.serialize(extension)) : undefined;
}

/**
 * Replaces intermediate `name`: a new key, a certificate signed by the current root whose CN is the old one's
 * next generation (`pgwarden-ca-client` -> `pgwarden-ca-client-g2`) with the same name constraints, and a new
 * anchor twin. Exit 4 when there is no such intermediate, 7 when its key does not open or is not its
 * certificate's, or when the root cannot sign. An expired intermediate can be rotated.
 */
export async function rotateIntermediate(
  layout: PkiLayout,
  name: string,
  options: RotateIntermediateOptions = {},
): Promise<RotateCaResult> {
  validateIntermediateName(name, "--intermediate");
  const days = checkValidityDays(options.days ?? DEFAULT_INTERMEDIATE_VALIDITY_DAYS);
  const keyType = parseKeyType(options.keyType ?? DEFAULT_KEY_TYPE);
  const now = options.now ?? new Date();
  checkPkiDirectory(layout.root);
  await finishRotation(layout);

  const files = issuerFiles(layout, name);
  const anchorPath = issuerAnchorPath(layout, name);
  const old = await readCertificateFile(files.certPath, `intermediate "${name}" certificate`).catch(
    (error: unknown) => {
      if (error instanceof PgwardenError && error.code === "cert-missing")
        throw notFoundError(
          "issuer-not-found",
          `no intermediate "${name}" in ${layout.caDir} to rotate: ${files.certPath} does not exist ` +
            `(pgwarden ca show lists the CAs; pgwarden ca intermediate create --name ${name} makes one)`,
        );
      throw error;
    },
  );
  const oldKeyText = await readFile(files.keyPath, "utf8").catch(() => undefined);
  if (oldKeyText === undefined)
    throw notFoundError(
      "issuer-key-missing",
      `intermediate "${name}": its key ${files.keyPath} is missing, and the old CA must keep signing its CRL until ` +
        "retired: restore the key, then rotate",
    );
  const oldKey = await readPrivateKeyFile(files.keyPath, {
    label: `intermediate "${name}" key`,
    passphrase: options.passphrase,
    insecure: options.insecure ?? false,
  });
  if (!new X509Certificate(old.der).checkPrivateKey(oldKey))
    throw pkiError(
      "ca-mismatch",
      `${files.certPath} was not made from ${files.keyPath}: restore the matching pair before rotating`,
    );
  const root = await loadCa(layout, { passphrase: options.passphrase, insecure: options.insecure ?? false, now });
  const encrypt = isEncryptedPem(oldKeyText);

  const key = generateKeyPair(keyType).privateKey;
  const problem = caKeyProblem(files.keyPath, key);
  if (problem) throw pkiError("ca-key-unsupported", problem);
  const subject = nextGenerationSubject(describeSubjectDer(old.der)).name;
  const constraints = nameConstraintsOf(old.der) ?? { dns: [], ip: [] };
  const signed = signIntermediate(root, key, name, days, constraints, now, subject);
  const warnings: string[] = [];
  if (signed.clamped)
    warnings.push(
      `the intermediate "${name}" ends with the root on ${root.notAfter.toISOString()}, not in ${days} days: ` +
        "an issuer never outlives its own (rotate the root to go further)",
    );
  const pem = toPem(signed.der, "CERTIFICATE");
  const current = certificateAuthority(files, signed.der, pem, key, {
    now,
    onWarning: (message) => warnings.push(message),
    root: root.certificate,
  });
  const oldKeyId = keyIdOf(old.der);
  const newKeyId = keyIdOf(signed.der);
  const keep = rotatedPaths(rotatedDir(layout), name, oldKeyId);
  const keepAnchor = keep.certPath.replace(/\.crt$/, ".anchor.crt");
  const info = describeCertificate(signed.der, now);
  await commitRotation(layout, {
    issuerName: name,
    oldKeyId,
    newKeyId,
    cert: files.certPath,
    files: [
      {
        live: files.keyPath,
        keep: keep.keyPath,
        data: encodePrivateKey(key, encrypt ? options.passphrase : undefined),
        mode: PRIVATE_FILE_MODE,
        suffix: "key",
      },
      {
        live: anchorPath,
        keep: keepAnchor,
        data: toPem(signed.anchorDer, "CERTIFICATE"),
        mode: PUBLIC_FILE_MODE,
        suffix: "anchor.crt",
        optional: true,
      },
      { live: files.certPath, keep: keep.certPath, data: pem, mode: PUBLIC_FILE_MODE, suffix: "crt" },
    ],
    now,
    record: caRecord(layout, info, {
      profile: "intermediate",
      commonName: name,
      issuer: formatName(root.certificate.subject),
      issuerName: ROOT_ISSUER,
      issuerKeyId: Buffer.from(root.keyId).toString("hex"),
      certPath: files.certPath,
      keyPath: files.keyPath,
      now,
    }),
  });
  const oldInfo = describeCertificate(old.der, now);
  return {
    issuerName: name,
    previous: { ...keep, subject: oldInfo.subject, keyId: oldKeyId, notAfter: oldInfo.notAfter },
    current,
    keyEncrypted: encrypt,
    warnings,
  };
}
