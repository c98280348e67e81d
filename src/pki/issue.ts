import { access, unlink } from "node:fs/promises";
import { relative } from "node:path";
import { usageError } from "../errors.js";
import { FileExistsError, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, ensureDirectory, removeStaleTempFiles, syncDirectory, writeFileAtomic } from "../fs/atomic-write.js";
import type { CertificateAuthority } from "./certificate-authority.js";
import { validateCommonName } from "./common-name.js";
import { addRecord, removeRecord, type CertificateRecord, type RecordOrigin } from "./inventory.js";
import { encodePrivateKey } from "./key-file.js";
import { DEFAULT_KEY_TYPE, generateKeyPair, type KeyType } from "./key-type.js";
import { LeafSigner, issuerData, type LeafRequest, type SignedLeaf } from "./leaf-signer.js";
import { leafPaths, validateGroup, type LeafPaths, type PkiLayout } from "./pki-layout.js";
import type { Profile } from "./profiles.js";
import { validateRoleName } from "./role-name.js";
import { parseSubjectAltName, type SubjectAltName } from "./subject-alt-name.js";
import { DEFAULT_LEAF_VALIDITY_DAYS } from "./validity.js";

export interface IssueOptions {
  readonly profile: Profile;
  readonly commonName: string;
  /** `--san` values as typed; a server or peer certificate without any gets its CN. */
  readonly subjectAltNames?: readonly string[];
  /** Default {@link DEFAULT_LEAF_VALIDITY_DAYS}; cut back to the CA's notAfter. */
  readonly days?: number;
  /** Default {@link DEFAULT_KEY_TYPE}. */
  readonly keyType?: KeyType;
  /** Folder under the PKI root. Default: the profile name. */
  readonly group?: string;
  readonly allowWildcard?: boolean;
  /** Replace an existing key and certificate of the same name. Default false. */
  readonly force?: boolean;
}

/** A request checked in full, before anything is generated or written. */
export interface PreparedLeaf {
  readonly request: LeafRequest;
  readonly profile: Profile;
  readonly keyType: KeyType;
  readonly group: string;
  readonly paths: LeafPaths;
}

export interface IssueResult {
  readonly record: CertificateRecord;
  readonly keyPath: string | null;
  readonly certPath: string;
  readonly warnings: string[];
}

/** Validates a request: CN (a role name for client certificates), SANs, group, days. */
export function prepareLeaf(layout: PkiLayout, options: IssueOptions): PreparedLeaf {
  const { profile } = options;
  const commonName = profile.cnIsRole ? validateRoleName(options.commonName) : validateCommonName(options.commonName);
  const sans = dedupe((options.subjectAltNames ?? []).map((san) => parseSubjectAltName(san, { allowWildcard: options.allowWildcard ?? false })));
  if (profile.needsHostNames && sans.length === 0) {
    try {
      sans.push(parseSubjectAltName(commonName));
    } catch {
      throw usageError("san-required", `a ${profile.name} certificate needs a host name: CN "${commonName}" is not one, so give --san HOST or --san IP`);
    }
  }
  const group = validateGroup(options.group ?? profile.name);
  return {
    request: { commonName, subjectAltNames: sans, days: options.days ?? DEFAULT_LEAF_VALIDITY_DAYS },
    profile,
    keyType: options.keyType ?? DEFAULT_KEY_TYPE,
    group,
    paths: leafPaths(layout, group, commonName),
  };
}

function dedupe(sans: SubjectAltName[]): SubjectAltName[] {
  const seen = new Set<string>();
  return sans.filter((san) => {
    const key = `${san.type}:${san.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Refuses to overwrite an existing key or certificate unless forced. */
export async function assertFreePaths(paths: readonly string[], force: boolean): Promise<void> {
  if (force) return;
  for (const path of paths) {
    const taken = await access(path).then(
      () => true,
      () => false,
    );
    if (taken) throw usageError("already-exists", `${path} already exists: pass --force to replace it, or choose another --cn or --group`);
  }
}

/** Warnings a person should see about a leaf that was nonetheless issued. */
export function leafWarnings(leaf: SignedLeaf, profile: Profile, ca: { notAfter: Date }): string[] {
  const warnings: string[] = [];
  if (leaf.clamped) warnings.push(`notAfter cut back to the CA's (${ca.notAfter.toISOString()}): a certificate never outlives its issuer`);
  if (leaf.keyType === "ed25519" && profile.needsHostNames) {
    warnings.push("Ed25519 server certificates break SCRAM channel binding in PostgreSQL 15 and older: prefer ec-p256");
  }
  return warnings;
}

export interface PersistLeaf {
  readonly leaf: SignedLeaf;
  readonly prepared: PreparedLeaf;
  /** PKCS#8 PEM of the new private key; absent when signing a CSR. */
  readonly keyPem?: string;
  readonly origin: RecordOrigin;
  readonly issuer: string;
  readonly force: boolean;
  readonly now: Date;
}

/**
 * Writes a signed leaf: the record first (it reserves the serial), then the key (0600
 * from birth), then the certificate, each atomically. A failure rolls back what this
 * call wrote, so a bad write never leaves a key without its certificate or record.
 */
export async function persistLeaf(layout: PkiLayout, input: PersistLeaf): Promise<IssueResult> {
  const { leaf, prepared, keyPem } = input;
  const record: CertificateRecord = {
    version: 1,
    serial: leaf.serial,
    commonName: leaf.commonName,
    profile: prepared.profile.name,
    group: prepared.group,
    origin: input.origin,
    keyType: leaf.keyType,
    subject: leaf.subject,
    issuer: input.issuer,
    subjectAltNames: leaf.subjectAltNames,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    fingerprintSha256: leaf.fingerprintSha256,
    certPath: relative(layout.root, prepared.paths.cert),
    keyPath: keyPem === undefined ? null : relative(layout.root, prepared.paths.key),
    issuedAt: input.now.toISOString(),
  };
  await addRecord(layout, record);
  let keyWritten = false;
  try {
    if (keyPem !== undefined) {
      await writeFileAtomic(prepared.paths.key, keyPem, { mode: PRIVATE_FILE_MODE, exclusive: !input.force });
      keyWritten = true;
    }
    await writeFileAtomic(prepared.paths.cert, leaf.certPem, { mode: PUBLIC_FILE_MODE, exclusive: !input.force });
  } catch (error) {
    if (keyWritten && !input.force) await unlink(prepared.paths.key).catch(() => undefined);
    await removeRecord(layout, leaf.serial);
    if (error instanceof FileExistsError) {
      throw usageError("already-exists", `${error.path} appeared while it was being issued (another pgwarden?): pass --force to replace it`);
    }
    throw error;
  }
  return {
    record,
    keyPath: keyPem === undefined ? null : prepared.paths.key,
    certPath: prepared.paths.cert,
    warnings: [],
  };
}

/** Signs a new key for a prepared request (the CPU part of issuing, no I/O). */
export function signNewLeaf(signer: LeafSigner, prepared: Pick<PreparedLeaf, "request" | "keyType">, now: Date): { leaf: SignedLeaf; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPair(prepared.keyType);
  return { leaf: signer.sign(prepared.request, publicKey, now), keyPem: encodePrivateKey(privateKey) };
}

/** Issues one key and certificate from the CA into `<pki>/<group>/<cn>.{key,crt}`. */
export async function issueCertificate(
  layout: PkiLayout,
  ca: CertificateAuthority,
  options: IssueOptions,
  now: Date = new Date(),
): Promise<IssueResult> {
  const prepared = prepareLeaf(layout, options);
  await assertFreePaths([prepared.paths.key, prepared.paths.cert], options.force ?? false);
  await ensureDirectory(prepared.paths.dir, PRIVATE_DIR_MODE);
  await Promise.all([prepared.paths.dir, layout.recordsDir].map(removeStaleTempFiles));
  const issuer = issuerData(ca);
  const signer = new LeafSigner(issuer, ca.key, prepared.profile);
  const { leaf, keyPem } = signNewLeaf(signer, prepared, now);
  const result = await persistLeaf(layout, { leaf, prepared, keyPem, origin: "issued", issuer: issuer.subject, force: options.force ?? false, now });
  await Promise.all([syncDirectory(prepared.paths.dir), syncDirectory(layout.recordsDir)]);
  return { ...result, warnings: leafWarnings(leaf, prepared.profile, ca) };
}
