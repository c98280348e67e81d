import { notFoundError, usageError } from "../../core/errors.js";
import { normalizeSerial } from "../encoding/serial.js";
import { PROFILES } from "../issuing/profiles.js";
import type { PkiLayout } from "../pki-layout.js";
import { type CertificateRecord, readRecords, recordIssuerName } from "../records/certificate-records.js";
import { readRevocations, type RevocationRecord } from "../records/revocations.js";
import { damagedRevocations } from "../revocation/crl-writer.js";

/*
 * Which recorded certificates `cert renew` and `cert needs-renewal` act on. A certificate is
 * live when no renewal replaced it (no record `renews` it) and no later record took its path
 * (`cert issue --force`): only the newest of each chain is ever renewed again.
 */

/** The records and revocations a selection is made from. */
export interface RenewalState {
  readonly records: readonly CertificateRecord[];
  /** Old serial -> the serial of the record that renewed it. */
  readonly renewedBy: ReadonlyMap<string, string>;
  /** Certificate path -> the newest record at that path. */
  readonly newestAtPath: ReadonlyMap<string, CertificateRecord>;
  /** `<issuer name>/<serial>` -> its revocation. */
  readonly revocations: ReadonlyMap<string, RevocationRecord>;
}

/** Reads the certificate records and the revocations once. */
export async function readRenewalState(layout: PkiLayout): Promise<RenewalState> {
  const [{ records }, { revocations, unreadable }] = await Promise.all([readRecords(layout), readRevocations(layout)]);
  // Which certificates are revoked is not known while a revocation file is damaged: a revoked one could be renewed.
  if (unreadable.length > 0) throw damagedRevocations(unreadable);
  return renewalState(records, revocations);
}

/** The state of `records` (sorted by issue time, as readRecords gives them) and `revocations`. */
export function renewalState(
  records: readonly CertificateRecord[],
  revocations: readonly RevocationRecord[],
): RenewalState {
  const renewedBy = new Map<string, string>();
  const newestAtPath = new Map<string, CertificateRecord>();
  for (const record of records) {
    if (record.renews !== undefined) renewedBy.set(normalizeSerial(record.renews), normalizeSerial(record.serial));
    const seen = newestAtPath.get(record.certPath);
    if (!seen || seen.issuedAt <= record.issuedAt) newestAtPath.set(record.certPath, record);
  }
  const revoked = new Map(
    revocations.map((revocation) => [`${revocation.issuerName}/${revocation.serial}`, revocation]),
  );
  return { records, renewedBy, newestAtPath, revocations: revoked };
}

/** The revocation of a record's certificate, if it was revoked. */
export function revocationOf(state: RenewalState, record: CertificateRecord): RevocationRecord | undefined {
  return state.revocations.get(`${recordIssuerName(record)}/${normalizeSerial(record.serial)}`);
}

/** Why a record is not live: renewed by another serial, or its path taken by a later certificate. */
function supersededBy(state: RenewalState, record: CertificateRecord): string | undefined {
  const serial = normalizeSerial(record.serial);
  const renewal = state.renewedBy.get(serial);
  if (renewal !== undefined) return `was already renewed by ${renewal}: renew that one`;
  const newest = state.newestAtPath.get(record.certPath);
  if (newest && normalizeSerial(newest.serial) !== serial)
    return `was replaced at ${record.certPath} by ${normalizeSerial(newest.serial)}: renew that one`;
  return undefined;
}

/** Live records: the newest of each renewal chain and of each path. */
export function liveRecords(state: RenewalState): CertificateRecord[] {
  return state.records.filter((record) => supersededBy(state, record) === undefined);
}

/** One certificate named by `--cn` (with `--group`) and/or `--serial`. */
export interface NamedCertificate {
  readonly commonName?: string;
  readonly group?: string;
  readonly serial?: string;
}

function describeRecord(record: CertificateRecord): string {
  return `${normalizeSerial(record.serial)} (${record.certPath}, notAfter ${record.notAfter})`;
}

/**
 * The one live record `named` designates. Unknown: exit 4. A serial already renewed or replaced,
 * or a CN with several live certificates and neither --group nor --serial: exit 2, naming them.
 */
export function selectNamed(state: RenewalState, named: NamedCertificate): CertificateRecord {
  const { commonName, group, serial } = named;
  if (commonName === undefined && serial === undefined)
    throw usageError("certificate-required", "name the certificate: give --cn CN (with --group G) or --serial S");
  const wanted = serial === undefined ? undefined : safeSerial(serial);
  const matches = (record: CertificateRecord) =>
    (commonName === undefined || record.commonName === commonName) &&
    (group === undefined || record.group === group) &&
    (wanted === undefined || normalizeSerial(record.serial) === wanted);
  const what = [
    commonName === undefined ? undefined : `CN ${JSON.stringify(commonName)}`,
    group === undefined ? undefined : `group ${JSON.stringify(group)}`,
    wanted === undefined ? undefined : `serial ${wanted}`,
  ]
    .filter((part) => part !== undefined)
    .join(", ");
  const found = state.records.filter(matches);
  if (found.length === 0)
    throw notFoundError("certificate-unknown", `no certificate with ${what} in the records: see pgwarden cert list`);
  const live = found.filter((record) => supersededBy(state, record) === undefined);
  if (live.length === 0) {
    const last = found[found.length - 1] as CertificateRecord;
    throw usageError(
      "certificate-superseded",
      `certificate ${normalizeSerial(last.serial)} ${supersededBy(state, last) ?? ""}`.trim(),
    );
  }
  if (live.length > 1)
    throw usageError(
      "certificate-ambiguous",
      `${what} names ${live.length} live certificates: ${live.map(describeRecord).join("; ")}: give --serial or --group`,
    );
  return live[0] as CertificateRecord;
}

function safeSerial(serial: string): string {
  try {
    return normalizeSerial(serial);
  } catch {
    throw usageError(
      "bad-serial",
      `--serial ${JSON.stringify(serial)} is not a serial: give it in hex, as cert list shows it`,
    );
  }
}

/** Many certificates: every live one (`--all`) or those expiring within a time (`--expiring`), in a group or all. */
export interface BulkSelection {
  readonly group?: string;
  /** Only those whose notAfter is less than this far from now (expired ones included); absent: all. */
  readonly expiringWithinMs?: number;
}

/** What a bulk selection holds, and the live certificates it leaves out because they are revoked. */
export interface BulkSelected {
  readonly selected: CertificateRecord[];
  readonly revoked: CertificateRecord[];
}

/** Live records of leaves for `--all` or `--expiring` (a CA's own record is not a leaf); revoked ones are never renewed in bulk. */
export function selectBulk(state: RenewalState, selection: BulkSelection, now: Date): BulkSelected {
  const inScope = liveRecords(state).filter(
    (record) =>
      Object.hasOwn(PROFILES, record.profile) &&
      (selection.group === undefined || record.group === selection.group) &&
      (selection.expiringWithinMs === undefined ||
        Date.parse(record.notAfter) - now.getTime() < selection.expiringWithinMs),
  );
  return {
    selected: inScope.filter((record) => revocationOf(state, record) === undefined),
    revoked: inScope.filter((record) => revocationOf(state, record) !== undefined),
  };
}
