import { createPublicKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import { PgwardenError, pkiError, usageError } from "../../core/errors.js";
import { syncDirectory } from "../../core/fs/atomic-write.js";
import { mapBounded } from "../../core/fs/bounded.js";
import type { CertificateAuthority } from "../authority/certificate-authority.js";
import { loadIssuer } from "../authority/issuer-loader.js";
import { CERTIFICATE_LABELS, decodePem } from "../encoding/pem.js";
import { normalizeSerial } from "../encoding/serial.js";
import {
  issuerFields,
  leafWarnings,
  persistLeaves,
  type PreparedLeaf,
  prepareForWrites,
  type RecordOverrides,
} from "../issuing/issue.js";
import { BATCH_CHUNK_SIZE, issueBatch, MAX_CHUNKS_IN_FLIGHT } from "../issuing/issue-batch.js";
import { fingerprintSha256, type SubjectKey } from "../issuing/leaf-signer.js";
import { leafSigner } from "../issuing/leaf-template.js";
import { type Profile, PROFILES } from "../issuing/profiles.js";
import { checkValidityDays, MAX_VALIDITY_DAYS } from "../issuing/validity.js";
import { describeKey, isKeyType, type KeyType } from "../keys/key-type.js";
import { parseSubjectAltName } from "../names/subject-alt-name.js";
import type { PkiLayout } from "../pki-layout.js";
import { type CertificateRecord, recordIssuerName } from "../records/certificate-records.js";
import { addRevocation } from "../records/revocations.js";
import { children, type Node, parseNode } from "../verify/der-walk.js";
import { type CrlRegeneration, regenerateCrlsAfterRevoking } from "./crl-after-revoking.js";
import {
  type BulkSelection,
  type NamedCertificate,
  readRenewalState,
  type RenewalState,
  revocationOf,
  selectBulk,
  selectNamed,
} from "./renewal-selection.js";
import { lifetimeDays } from "./renewal-threshold.js";

/** Which certificates to renew: one named (`--cn`, `--serial`), or many (`--all`, `--expiring`). */
export type RenewSelection =
  ({ readonly kind: "named" } & NamedCertificate) | ({ readonly kind: "bulk" } & BulkSelection);

export interface RenewOptions {
  readonly selection: RenewSelection;
  /** A new key of the same type (`--rekey`); default: the same public key. */
  readonly rekey?: boolean;
  /** Record a revocation (superseded) of each old certificate once its renewal is in place. */
  readonly revokeOld?: boolean;
  /** Lifetime of the new certificates in days; default: each old certificate's own lifetime. */
  readonly days?: number;
  readonly now?: Date;
  /** Signing threads for --rekey batches (default one per core; 0 signs on this thread). */
  readonly workers?: number;
  /** Called after each certificate is in place. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Sign with this issuer ("ca" or an intermediate's name) instead of each certificate's own: moves
   * certificates the root signed to the intermediate of their profile once intermediates exist.
   */
  readonly issuer?: string;
  /** The issuers' key passphrase and checks, for signing and for the CRLs `revokeOld` writes. */
  readonly passphrase?: string | undefined;
  readonly insecure?: boolean;
  readonly onWarning?: (message: string) => void;
}

/** One certificate renewed. */
export interface RenewedCertificate {
  /** The serial of the certificate it replaced. */
  readonly renews: string;
  readonly record: CertificateRecord;
  readonly certPath: string;
  /** The key beside it (new with rekey), null for a signed certificate whose key is with the requester. */
  readonly keyPath: string | null;
  readonly rekeyed: boolean;
}

/** A certificate a bulk renewal left as it was, and why. */
export interface SkippedRenewal {
  readonly serial: string;
  readonly commonName: string;
  readonly certPath: string;
  readonly reason: string;
}

export interface RenewResult {
  readonly renewed: RenewedCertificate[];
  readonly skipped: SkippedRenewal[];
  /** Serials of the old certificates revoked (with revokeOld). */
  readonly revokedOld: string[];
  /** What happened to the CRLs after revoking (with revokeOld and at least one revocation). */
  readonly crl?: CrlRegeneration;
  /** Each warning once. */
  readonly warnings: string[];
}

interface PlannedRenewal {
  readonly old: CertificateRecord;
  readonly issuerName: string;
  readonly prepared: PreparedLeaf;
  /** The old certificate's public key, kept; absent with rekey. */
  readonly subjectKey?: SubjectKey;
}

const CERTIFICATE_EXTENSION = /\.(crt|pem|cer)$/;

/** The key file a certificate's own key would have: `<group>/<cn>.key` beside `<group>/<cn>.crt`. */
function ownKeyPath(certPath: string): string {
  return certPath.replace(CERTIFICATE_EXTENSION, "") + ".key";
}

function cannot(record: CertificateRecord, reason: string, exit: "usage" | "pki" = "usage"): PgwardenError {
  const message = `certificate ${normalizeSerial(record.serial)} (CN ${JSON.stringify(record.commonName)}, ${record.certPath}) ${reason}`;
  return exit === "usage" ? usageError("cannot-renew", message) : pkiError("cannot-renew", message);
}

/** Key types by SubjectPublicKeyInfo algorithm and size: a fleet's thousands of keys are of a few kinds. */
const keyTypes = new Map<string, string>();

/**
 * The certificate's SubjectPublicKeyInfo, read from its DER (the seventh field of tbsCertificate, or
 * sixth without a version) without parsing the whole certificate, and its key type.
 */
function subjectKeyOf(der: Buffer): SubjectKey {
  const [tbs] = children(parseNode(der));
  const fields = children(tbs as Node);
  const spki = (fields[fields[0]?.tag === CONTEXT_VERSION_TAG ? 6 : 5] as Node).raw;
  const kind = `${(children(parseNode(spki))[0] as Node).raw.toString("hex")}/${spki.length}`;
  let keyType = keyTypes.get(kind);
  if (keyType === undefined) {
    keyType = describeKey(createPublicKey({ key: spki, format: "der", type: "spki" }));
    keyTypes.set(kind, keyType);
  }
  return { spki: Buffer.from(spki), keyType };
}

/** `[0] EXPLICIT Version` at the start of a tbsCertificate. */
const CONTEXT_VERSION_TAG = 0xa0;

/** Checks one record can be renewed as asked and builds its request; a reason it cannot is thrown. */
async function planRenewal(
  layout: PkiLayout,
  record: CertificateRecord,
  options: { rekey: boolean; days: number | undefined; issuer: string | undefined },
): Promise<PlannedRenewal> {
  const profile = (PROFILES as Record<string, Profile | undefined>)[record.profile];
  if (!profile)
    throw cannot(
      record,
      record.profile === "ca"
        ? "is a CA certificate: cert renew renews leaves (server, client, peer)"
        : `has the profile "${record.profile}", which pgwarden does not know`,
    );
  if (options.rekey && record.origin === "signed")
    throw cannot(
      record,
      "was signed from a certificate request: its key is with the requester, so --rekey cannot make one here; renew it without --rekey (same public key), or sign a new request with cert sign --force",
    );
  const keyPath = record.keyPath ?? ownKeyPath(record.certPath);
  if (options.rekey && keyPath !== ownKeyPath(record.certPath))
    throw cannot(record, `shares the key ${keyPath} with other certificates: renew it without --rekey`);
  const certPath = join(layout.root, record.certPath);
  let der: Buffer;
  try {
    [der] = decodePem(await readFile(certPath, "utf8"), CERTIFICATE_LABELS, certPath, "pki") as [Buffer];
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? "not a certificate";
    throw cannot(record, `cannot be read from ${certPath} (${why}): nothing to renew from`, "pki");
  }
  // The DER's fingerprint, not a parsed certificate's: thousands of renewals read thousands of files.
  if (fingerprintSha256(der) !== record.fingerprintSha256)
    throw cannot(
      record,
      `is not the certificate at ${certPath} any more (replaced outside pgwarden): not renewed`,
      "pki",
    );
  let subjectKey: SubjectKey | undefined;
  let keyType: KeyType;
  if (options.rekey) {
    if (!isKeyType(record.keyType)) throw cannot(record, `has a ${record.keyType} key, which --rekey cannot make`);
    keyType = record.keyType;
  } else {
    subjectKey = subjectKeyOf(der);
    // Only a new key is made from keyType; a kept key's certificate names its own type (subjectKey.keyType).
    keyType = isKeyType(subjectKey.keyType) ? subjectKey.keyType : "ec-p256";
    // The key file is not read: the renewal keeps the certificate's public key and leaves the key file as it
    // is, so a pair that matched still matches (cert list reports one that did not).
  }
  const days =
    options.days ?? Math.min(MAX_VALIDITY_DAYS, lifetimeDays(new Date(record.notBefore), new Date(record.notAfter)));
  return {
    old: record,
    issuerName: options.issuer ?? recordIssuerName(record),
    subjectKey,
    prepared: {
      request: {
        commonName: record.commonName,
        subjectAltNames: record.subjectAltNames.map((san) => parseSubjectAltName(san, { allowWildcard: true })),
        days,
      },
      profile,
      keyType,
      group: record.group,
      paths: { dir: dirname(certPath), cert: certPath, key: join(layout.root, keyPath) },
    },
  };
}

/** The records to renew, the revoked ones left out of a bulk selection, and the refusals of a named one. */
function selected(
  state: RenewalState,
  selection: RenewSelection,
  rekey: boolean,
  now: Date,
): { records: CertificateRecord[]; skipped: SkippedRenewal[] } {
  if (selection.kind === "named") {
    const record = selectNamed(state, selection);
    const revocation = revocationOf(state, record);
    if (revocation && !rekey)
      throw usageError(
        "revoked-needs-rekey",
        `certificate ${normalizeSerial(record.serial)} (CN ${JSON.stringify(record.commonName)}) was revoked (${revocation.reason}, ${revocation.revokedAt}): a revoked certificate given to renew without --rekey would keep its key; pass --rekey to give it a new one`,
      );
    return { records: [record], skipped: [] };
  }
  const { selected: records, revoked } = selectBulk(state, selection, now);
  return {
    records,
    skipped: revoked.map((record) => ({
      ...skippedOf(record),
      reason: "revoked: never renewed in bulk (renew it by --serial with --rekey if it must come back)",
    })),
  };
}

function skippedOf(record: CertificateRecord): Omit<SkippedRenewal, "reason"> {
  return { serial: normalizeSerial(record.serial), commonName: record.commonName, certPath: record.certPath };
}

/**
 * Renews certificates: each selected one is re-issued with the same subject, SANs, profile, group
 * and issuer, a new serial and validity, and the same public key unless `rekey`. The new record
 * names the old serial (`renews`); the files are replaced under the pair journal, so a kill at any
 * moment leaves each pair old or new, recorded. Every request is checked and every issuer loaded
 * before anything is written. Many certificates go through the batch signer (workers, chunks).
 */
export async function renewCertificates(layout: PkiLayout, options: RenewOptions): Promise<RenewResult> {
  const now = options.now ?? new Date();
  const rekey = options.rekey ?? false;
  if (options.days !== undefined) checkValidityDays(options.days);
  await prepareForWrites(layout);
  const state = await readRenewalState(layout);
  const { records, skipped } = selected(state, options.selection, rekey, now);
  const plans: PlannedRenewal[] = [];
  const planned = await mapBounded(records, (record) =>
    planRenewal(layout, record, { rekey, days: options.days, issuer: options.issuer }).then(
      (plan) => ({ plan }),
      (error: unknown) => ({ error }),
    ),
  );
  planned.forEach((outcome, index) => {
    if ("plan" in outcome) return void plans.push(outcome.plan);
    if (options.selection.kind === "named" || !(outcome.error instanceof PgwardenError)) throw outcome.error;
    const record = records[index] as CertificateRecord;
    skipped.push({ ...skippedOf(record), reason: outcome.error.message.replace(/^certificate \S+ \([^)]*\) /, "") });
  });
  const issuers = new Map<string, CertificateAuthority>();
  const keys = { passphrase: options.passphrase, insecure: options.insecure ?? false, onWarning: options.onWarning };
  const load = (name: string) => loadIssuer(layout, name, { ...keys, now });
  for (const name of new Set(plans.map((plan) => plan.issuerName))) issuers.set(name, await load(name));

  const total = plans.length;
  let done = 0;
  const advance = (count: number) => {
    done += count;
    options.onProgress?.(done, total);
  };
  const renewed: RenewedCertificate[] = [];
  const warnings = new Set<string>();
  for (const group of groupPlans(plans)) {
    const ca = issuers.get(group.issuerName) as CertificateAuthority;
    const fields = new Map(group.plans.map((plan) => [plan.prepared.paths.cert, recordFields(plan, ca)]));
    if (rekey) {
      let before = 0;
      const { issued } = await issueBatch(
        layout,
        ca,
        group.plans.map((plan) => plan.prepared),
        {
          force: true,
          now,
          workers: options.workers,
          onProgress: (count) => {
            advance(count - before);
            before = count;
          },
          recordFields: (leaf) => fields.get(leaf.paths.cert) ?? {},
        },
      );
      for (const result of issued) {
        result.warnings.forEach((warning) => warnings.add(warning));
        renewed.push({
          renews: (fields.get(result.certPath) as RecordOverrides).renews as string,
          record: result.record,
          certPath: result.certPath,
          keyPath: result.keyPath,
          rekeyed: true,
        });
      }
    } else {
      renewed.push(...(await renewSameKey(layout, ca, group.plans, fields, now, advance, warnings)));
    }
  }

  const revokedOld: string[] = [];
  let crl: CrlRegeneration | undefined;
  if (options.revokeOld && renewed.length > 0) {
    const oldBySerial = new Map(plans.map((plan) => [normalizeSerial(plan.old.serial), plan.old]));
    await mapBounded(renewed, async (renewal) => {
      const old = oldBySerial.get(renewal.renews) as CertificateRecord;
      await addRevocation(layout, {
        version: 1,
        serial: renewal.renews,
        issuerName: recordIssuerName(old),
        ...(old.issuerKeyId === undefined ? {} : { issuerKeyId: old.issuerKeyId }),
        revokedAt: now.toISOString(),
        reason: "superseded",
      });
      revokedOld.push(renewal.renews);
    });
    // The old certificates' issuers sign the CRLs that revoke them (not the new issuer, under --issuer).
    crl = await regenerateCrlsAfterRevoking(layout, [...new Set(plans.map((plan) => recordIssuerName(plan.old)))], {
      ...keys,
      now,
    });
  }
  return {
    renewed,
    skipped,
    revokedOld: revokedOld.sort(),
    ...(crl === undefined ? {} : { crl }),
    warnings: [...warnings],
  };
}

/** Plans by issuer and profile: a batch signs for one of each. */
function groupPlans(plans: readonly PlannedRenewal[]): { issuerName: string; plans: PlannedRenewal[] }[] {
  const groups = new Map<string, { issuerName: string; plans: PlannedRenewal[] }>();
  for (const plan of plans) {
    const key = `${plan.issuerName}\n${plan.prepared.profile.name}`;
    const group = groups.get(key) ?? { issuerName: plan.issuerName, plans: [] };
    group.plans.push(plan);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** The new record's fields beyond a first issue's: the serial renewed, the origin and key kept, the issuer. */
function recordFields(plan: PlannedRenewal, ca: CertificateAuthority): RecordOverrides {
  return {
    renews: normalizeSerial(plan.old.serial),
    origin: plan.old.origin,
    // A new key is recorded where it was written; a kept one where it was.
    ...(plan.subjectKey === undefined ? {} : { keyPath: plan.old.keyPath }),
    issuerName: plan.issuerName,
    issuerKeyId: Buffer.from(ca.keyId).toString("hex"),
  };
}

/**
 * Renewals that keep their public key: signing needs no key generation, so it stays on this
 * thread; chunks are written under the pair journal with several in flight, as a batch does.
 */
async function renewSameKey(
  layout: PkiLayout,
  ca: CertificateAuthority,
  plans: readonly PlannedRenewal[],
  fields: ReadonlyMap<string, RecordOverrides>,
  now: Date,
  advance: (count: number) => void,
  warnings: Set<string>,
): Promise<RenewedCertificate[]> {
  const [first] = plans;
  if (!first) return [];
  const signer = leafSigner(ca, first.prepared.profile);
  const renewed: RenewedCertificate[] = [];
  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for (let start = 0; start < plans.length && !failure; start += BATCH_CHUNK_SIZE) {
    const items = plans.slice(start, start + BATCH_CHUNK_SIZE).map((plan) => {
      const leaf = signer.sign(plan.prepared.request, plan.subjectKey as SubjectKey, now);
      leafWarnings(leaf, plan.prepared.profile, ca).forEach((warning) => warnings.add(warning));
      return { leaf, prepared: plan.prepared, record: fields.get(plan.prepared.paths.cert) };
    });
    const writing: Promise<void> = persistLeaves(layout, items, {
      origin: "issued",
      issuer: signer.issuerSubject,
      force: true,
      now,
      ...issuerFields(ca),
    }).then(
      (results) => {
        inflight.delete(writing);
        results.forEach((result) =>
          renewed.push({
            renews: result.record.renews as string,
            record: result.record,
            certPath: result.certPath,
            keyPath: result.record.keyPath === null ? null : join(layout.root, result.record.keyPath),
            rekeyed: false,
          }),
        );
        advance(results.length);
      },
      (error: unknown) => {
        inflight.delete(writing);
        failure ??= { error };
      },
    );
    inflight.add(writing);
    while (inflight.size >= MAX_CHUNKS_IN_FLIGHT) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  if (failure) throw failure.error;
  const dirs = new Set(plans.map((plan) => plan.prepared.paths.dir));
  await Promise.all([...dirs, layout.recordsDir].map(syncDirectory));
  return renewed;
}
