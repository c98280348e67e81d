import { access, unlink } from "node:fs/promises";
import { join, relative } from "node:path";

import { usageError } from "../../core/errors.js";
import {
  ensureDirectory,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  syncDirectory,
  writeTempFile,
} from "../../core/fs/atomic-write.js";
import { Limiter, MAX_OPEN_FILES } from "../../core/fs/bounded.js";
import { checkPkiDirectory } from "../../core/fs/safe-dir.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { ROOT_ISSUER } from "../authority/issuers.js";
import { DEFAULT_KEY_TYPE, type KeyType, parseKeyType } from "../keys/key-type.js";
import { validateCommonName } from "../names/common-name.js";
import { parseSubjectAltName, type SubjectAltName } from "../names/subject-alt-name.js";
import { type LeafPaths, leafPaths, type PkiLayout, validateGroup } from "../pki-layout.js";
import type { CertificateRecord, RecordOrigin } from "../records/certificate-records.js";
import { validateRoleName } from "../role-name.js";
import type { LeafRequest, SignedLeaf } from "./leaf-signer.js";
import { leafSigner } from "./leaf-template.js";
import { commitPairs, recoverInterruptedWrites, type StagedPair } from "./pair-journal.js";
import type { Profile } from "./profiles.js";
import { checkValidityDays, DEFAULT_LEAF_VALIDITY_DAYS } from "./validity.js";

export interface IssueOptions {
  readonly profile: Profile;
  readonly commonName: string;
  /** `--san` values as typed; a server or peer certificate also names its CN (see {@link cnAsSan}). */
  readonly subjectAltNames?: readonly string[];
  /**
   * Add the CN of a server or peer certificate to its SANs (as a DNS name or an IP address). Default true:
   * libpq and OpenSSL ignore the CN once a certificate has a SAN of the host's type, so without it `host=<cn>` fails verify-full.
   */
  readonly cnAsSan?: boolean;
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
  /** `<cn>.fullchain.crt` when an intermediate signed (leaf then intermediate); absent for the root. */
  readonly chainPath?: string;
  readonly warnings: string[];
}

/** Validates a request: days and key type (as --days and --key-type), CN (a role name for client certificates), SANs, group. */
export function prepareLeaf(layout: PkiLayout, options: IssueOptions): PreparedLeaf {
  const days = checkValidityDays(options.days ?? DEFAULT_LEAF_VALIDITY_DAYS);
  const keyType = parseKeyType(options.keyType ?? DEFAULT_KEY_TYPE);
  const { profile } = options;
  const commonName = profile.cnIsRole ? validateRoleName(options.commonName) : validateCommonName(options.commonName);
  const allowWildcard = options.allowWildcard ?? false;
  const given = (options.subjectAltNames ?? []).map((san) => parseSubjectAltName(san, { allowWildcard }));
  const cnSan =
    profile.needsHostNames && (options.cnAsSan ?? true)
      ? commonNameAsSan(profile, commonName, given.length, allowWildcard)
      : [];
  // After the given names, so a re-issue keeps their order (pg tls carries an old certificate's names over).
  const sans = dedupe([...given, ...cnSan]);
  if (profile.needsHostNames && sans.length === 0) {
    throw usageError(
      "san-required",
      `a ${profile.name} certificate needs a host name: give --san HOST or --san IP (or drop --no-cn-san)`,
    );
  }
  const group = validateGroup(options.group ?? profile.name);
  return {
    request: { commonName, subjectAltNames: sans, days },
    profile,
    keyType,
    group,
    paths: leafPaths(layout, group, commonName),
  };
}

/**
 * The CN as a SAN, validated as `--san` values are. A CN that is no host name cannot be one: without
 * other SANs the certificate would name no host; beside them the CN would silently not match.
 */
function commonNameAsSan(
  profile: Profile,
  commonName: string,
  givenSans: number,
  allowWildcard: boolean,
): SubjectAltName[] {
  try {
    return [parseSubjectAltName(commonName, { allowWildcard })];
  } catch (error) {
    if (givenSans === 0) {
      throw usageError(
        "san-required",
        `a ${profile.name} certificate needs a host name: CN "${commonName}" is not one, so give --san HOST or --san IP`,
      );
    }
    const why = error instanceof Error ? error.message : String(error);
    throw usageError(
      "cn-not-host-name",
      `the CN is added to the SANs so that host=<cn> passes verify-full, but ${why}: give a host name as the CN, or pass --no-cn-san to leave it out`,
    );
  }
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
    if (taken)
      throw usageError(
        "already-exists",
        `${path} already exists: pass --force to replace it, or choose another --cn or --group`,
      );
  }
}

/** Warnings a person should see about a leaf that was nonetheless issued. */
export function leafWarnings(
  leaf: SignedLeaf,
  profile: Profile,
  ca: { readonly notAfter: Date; readonly issuerName?: string },
): string[] {
  const warnings: string[] = [];
  const issuer =
    ca.issuerName === undefined || ca.issuerName === ROOT_ISSUER ? "CA's" : `intermediate "${ca.issuerName}"'s`;
  if (leaf.clamped)
    warnings.push(
      `notAfter cut back to the ${issuer} (${ca.notAfter.toISOString()}): a certificate never outlives its issuer`,
    );
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
  /** Record fields that differ from a first issue (`cert renew`: the serial renewed, the key kept, the origin kept). */
  readonly record?: RecordOverrides;
}

/** What a caller may set in a leaf's record beyond what issuing derives. */
export type RecordOverrides = Partial<
  Pick<CertificateRecord, "renews" | "origin" | "keyPath" | "issuerName" | "issuerKeyId">
>;

export interface PersistOptions {
  readonly origin: RecordOrigin;
  readonly issuer: string;
  readonly force: boolean;
  readonly now: Date;
  /** The issuer's PKI name and hex SKI, for the records (`issuerFields`). */
  readonly issuerName?: string;
  readonly issuerKeyId?: string;
  /** The intermediate's certificate PEM: each leaf gets `<cn>.fullchain.crt` (leaf then this). Empty: none. */
  readonly chainPem?: string;
}

/** What {@link persistLeaves} records and ships of the CA that signed: its name, key identifier and chain. */
export function issuerFields(
  ca: Pick<CertificateAuthority, "issuerName" | "keyId" | "chainPem">,
): Pick<PersistOptions, "issuerName" | "issuerKeyId" | "chainPem"> {
  return {
    issuerName: ca.issuerName ?? ROOT_ISSUER,
    issuerKeyId: Buffer.from(ca.keyId).toString("hex"),
    chainPem: ca.chainPem ?? "",
  };
}

/** `<group>/<cn>.fullchain.crt`, beside `<cn>.crt`: what a server or client presents when an intermediate signed. */
export function fullChainPath(certPath: string): string {
  return certPath.replace(/\.crt$/, ".fullchain.crt");
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
    ...(options.issuerName === undefined ? {} : { issuerName: options.issuerName }),
    ...(options.issuerKeyId === undefined ? {} : { issuerKeyId: options.issuerKeyId }),
    subjectAltNames: leaf.subjectAltNames,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    fingerprintSha256: leaf.fingerprintSha256,
    certPath: relative(layout.root, prepared.paths.cert),
    keyPath: keyPem === undefined ? null : relative(layout.root, prepared.paths.key),
    issuedAt: options.now.toISOString(),
    ...item.record,
  };
}

/** Writes one leaf's key (0600 from birth), certificate and chain file to temp files beside their targets, fsync'd. */
async function stageLeaf(
  layout: PkiLayout,
  item: PersistLeaf,
  record: CertificateRecord,
  files: Limiter,
  options: PersistOptions,
): Promise<StagedPair> {
  const { paths } = item.prepared;
  const move = (temp: string, target: string) => ({
    temp: relative(layout.root, temp),
    target: relative(layout.root, target),
  });
  const chainPath = fullChainPath(paths.cert);
  const temps: string[] = [];
  try {
    let key: { temp: string; target: string } | undefined;
    if (item.keyPem !== undefined) {
      const pem = item.keyPem;
      const temp = await files.run(() => writeTempFile(paths.key, pem, { mode: PRIVATE_FILE_MODE }));
      temps.push(temp);
      key = move(temp, paths.key);
    }
    const certTemp = await files.run(() => writeTempFile(paths.cert, item.leaf.certPem, { mode: PUBLIC_FILE_MODE }));
    temps.push(certTemp);
    const chainPem = options.chainPem ?? "";
    let chain: { temp: string; target: string } | undefined;
    if (chainPem !== "") {
      const temp = await files.run(() =>
        writeTempFile(chainPath, item.leaf.certPem + chainPem, { mode: PUBLIC_FILE_MODE }),
      );
      temps.push(temp);
      chain = move(temp, chainPath);
    }
    return {
      ...(key === undefined ? {} : { key }),
      cert: move(certTemp, paths.cert),
      ...(chain === undefined ? {} : { chain }),
      // A root-signed leaf replacing an intermediate's must not leave the old chain file beside it.
      ...(chain === undefined && options.force ? { staleChain: relative(layout.root, chainPath) } : {}),
      record,
    };
  } catch (error) {
    await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
    throw error;
  }
}

/** Files being staged at once, across every chunk of every batch in this process: each holds a descriptor until its fsync ends. */
const stagingFiles = new Limiter(MAX_OPEN_FILES);

/**
 * Writes signed leaves: each key and certificate to a temp file (concurrently, so the disk's
 * fsyncs overlap), then all of them into place under one journal (`pair-journal.ts`), so a
 * kill at any moment leaves every pair old or new once the next command has run, and every
 * pair on disk recorded. Without `force` nothing is overwritten: a leaf whose name another
 * writer took in the meantime is left out, its record too, and the first such failure thrown.
 */
export async function persistLeaves(
  layout: PkiLayout,
  items: readonly PersistLeaf[],
  options: PersistOptions,
): Promise<IssueResult[]> {
  const records = items.map((item) => recordOf(layout, item, options));
  const staged = await Promise.allSettled(
    items.map((item, index) => stageLeaf(layout, item, records[index] as CertificateRecord, stagingFiles, options)),
  );
  const stagingFailure = staged.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (stagingFailure) {
    const temps = staged.flatMap((outcome) =>
      outcome.status === "fulfilled"
        ? [outcome.value.key?.temp, outcome.value.cert.temp, outcome.value.chain?.temp]
        : [],
    );
    await Promise.all(
      temps.filter((temp) => temp !== undefined).map((temp) => unlink(join(layout.root, temp)).catch(() => undefined)),
    );
    throw stagingFailure.reason;
  }
  const pairs = staged.map((outcome) => (outcome as PromiseFulfilledResult<StagedPair>).value);
  const failures = await commitPairs(layout, pairs, { replace: options.force, now: options.now });
  const failure = failures.find((error) => error !== undefined);
  if (failure) {
    throw usageError(
      "already-exists",
      `${failure.path} appeared while it was being issued (another pgwarden?): pass --force to replace it`,
    );
  }
  return items.map((item, index) => ({
    record: records[index] as CertificateRecord,
    keyPath: item.keyPem === undefined ? null : item.prepared.paths.key,
    certPath: item.prepared.paths.cert,
    ...((options.chainPem ?? "") === "" ? {} : { chainPath: fullChainPath(item.prepared.paths.cert) }),
    warnings: [],
  }));
}

/**
 * What every command that writes leaves does first: refuses a PKI whose directories anyone may
 * write or that a symlink leads out of (library callers do not pass the CLI's --pki check), then
 * finishes or rolls back pair writes an earlier, killed process left.
 */
export async function prepareForWrites(layout: PkiLayout): Promise<void> {
  checkPkiDirectory(layout.root);
  await recoverInterruptedWrites(layout);
}

/** Issues one key and certificate from the CA into `<pki>/<group>/<cn>.{key,crt}`. */
export async function issueCertificate(
  layout: PkiLayout,
  ca: CertificateAuthority,
  options: IssueOptions,
  now: Date = new Date(),
): Promise<IssueResult> {
  const prepared = prepareLeaf(layout, options);
  await prepareForWrites(layout);
  await assertFreePaths([prepared.paths.key, prepared.paths.cert], options.force ?? false);
  await ensureDirectory(prepared.paths.dir, PRIVATE_DIR_MODE);
  const signer = leafSigner(ca, prepared.profile);
  const { leaf, keyPem } = signer.signNewKey(prepared.request, prepared.keyType, now);
  const [result] = await persistLeaves(layout, [{ leaf, prepared, keyPem }], {
    origin: "issued",
    issuer: signer.issuerSubject,
    force: options.force ?? false,
    now,
    ...issuerFields(ca),
  });
  await Promise.all([syncDirectory(prepared.paths.dir), syncDirectory(layout.recordsDir)]);
  return { ...(result as IssueResult), warnings: leafWarnings(leaf, prepared.profile, ca) };
}
