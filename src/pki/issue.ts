import { access, unlink } from "node:fs/promises";
import { relative } from "node:path";
import { usageError } from "../errors.js";
import { FileExistsError, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, ensureDirectory, removeStaleTempFiles, syncDirectory, writeFileAtomic } from "../fs/atomic-write.js";
import type { CertificateAuthority } from "./certificate-authority.js";
import { validateCommonName } from "./common-name.js";
import { addRecords, rewriteRecords, type CertificateRecord, type RecordOrigin } from "./inventory.js";
import { DEFAULT_KEY_TYPE, type KeyType } from "./key-type.js";
import type { LeafRequest, SignedLeaf } from "./leaf-signer.js";
import { leafSigner } from "./leaf-template.js";
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
}

export interface PersistOptions {
  readonly origin: RecordOrigin;
  readonly issuer: string;
  readonly force: boolean;
  readonly now: Date;
}

function recordOf(layout: PkiLayout, item: PersistLeaf, options: PersistOptions): CertificateRecord {
  const { leaf, prepared, keyPem } = item;
  return {
    version: 1,
    serial: leaf.serial,
    commonName: leaf.commonName,
    profile: prepared.profile.name,
    group: prepared.group,
    origin: options.origin,
    keyType: leaf.keyType,
    subject: leaf.subject,
    issuer: options.issuer,
    subjectAltNames: leaf.subjectAltNames,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    fingerprintSha256: leaf.fingerprintSha256,
    certPath: relative(layout.root, prepared.paths.cert),
    keyPath: keyPem === undefined ? null : relative(layout.root, prepared.paths.key),
    issuedAt: options.now.toISOString(),
  };
}

/** Writes one leaf's key (0600 from birth) then certificate; undoes its own key if the certificate fails. */
async function writeLeafFiles(item: PersistLeaf, force: boolean): Promise<void> {
  let keyWritten = false;
  try {
    if (item.keyPem !== undefined) {
      await writeFileAtomic(item.prepared.paths.key, item.keyPem, { mode: PRIVATE_FILE_MODE, exclusive: !force });
      keyWritten = true;
    }
    // The key's exclusive link already claimed this name; a signed CSR has no key, so its certificate claims it.
    await writeFileAtomic(item.prepared.paths.cert, item.leaf.certPem, { mode: PUBLIC_FILE_MODE, exclusive: !force && item.keyPem === undefined });
  } catch (error) {
    if (keyWritten && !force) await unlink(item.prepared.paths.key).catch(() => undefined);
    if (error instanceof FileExistsError) {
      throw usageError("already-exists", `${error.path} appeared while it was being issued (another pgwarden?): pass --force to replace it`);
    }
    throw error;
  }
}

/**
 * Writes signed leaves: their records first (one file for the lot, so the inventory
 * knows of every certificate that may exist), then each key and certificate, each file
 * atomically and concurrently so the disk's fsyncs overlap. Leaves that fail to be
 * written are dropped from the record file again, and the first failure is thrown.
 */
export async function persistLeaves(layout: PkiLayout, items: readonly PersistLeaf[], options: PersistOptions): Promise<IssueResult[]> {
  const records = items.map((item) => recordOf(layout, item, options));
  const file = await addRecords(layout, records, options.now);
  const outcomes = await Promise.allSettled(items.map((item) => writeLeafFiles(item, options.force)));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failure) {
    await rewriteRecords(file, records.filter((_, index) => outcomes[index]?.status === "fulfilled"));
    throw failure.reason;
  }
  return items.map((item, index) => ({
    record: records[index] as CertificateRecord,
    keyPath: item.keyPem === undefined ? null : item.prepared.paths.key,
    certPath: item.prepared.paths.cert,
    warnings: [],
  }));
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
  const signer = leafSigner(ca, prepared.profile);
  const { leaf, keyPem } = signer.signNewKey(prepared.request, prepared.keyType, now);
  const [result] = await persistLeaves(layout, [{ leaf, prepared, keyPem }], { origin: "issued", issuer: signer.issuerSubject, force: options.force ?? false, now });
  await Promise.all([syncDirectory(prepared.paths.dir), syncDirectory(layout.recordsDir)]);
  return { ...(result as IssueResult), warnings: leafWarnings(leaf, prepared.profile, ca) };
}
