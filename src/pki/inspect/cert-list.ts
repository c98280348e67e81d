import { X509Certificate } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, relative } from "node:path";

import { isTempFileName } from "../../core/fs/atomic-write.js";
import { mapBounded } from "../../core/fs/bounded.js";
import { CERTIFICATE_LABELS, decodePemBlocks } from "../encoding/pem.js";
import { normalizeSerial } from "../encoding/serial.js";
import { recoverInterruptedWrites } from "../issuing/pair-journal.js";
import { EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from "../issuing/profiles.js";
import { daysUntil } from "../issuing/validity.js";
import { keyFileMatches, type KeyMatch } from "../keys/key-match.js";
import type { PkiLayout } from "../pki-layout.js";
import { type CertificateRecord, readRecords, recordIssuerName } from "../records/certificate-records.js";
import { readRevocations } from "../records/revocations.js";
import { parseExtensions } from "./certificate-info.js";

/** Where a listed certificate came from: made by pgwarden, or found under the PKI directory. */
export type ListOrigin = "issued" | "signed" | "found";
/**
 * `key-mismatch`: the key beside the certificate is not its key (a swap cut short, a file copied over).
 * `key-unreadable`: a key file is there but cannot be read (a directory, a dangling link): also in `errors`.
 * `revoked`: `cert revoke` took it back (whatever its files say).
 */
export type ListStatus =
  "valid" | "expired" | "not-yet-valid" | "missing" | "replaced" | "key-mismatch" | "key-unreadable" | "revoked";

/** Every status, for `--status`. */
export const LIST_STATUSES: readonly ListStatus[] = [
  "valid",
  "expired",
  "not-yet-valid",
  "missing",
  "replaced",
  "key-mismatch",
  "key-unreadable",
  "revoked",
];

export interface ListEntry {
  readonly serial: string;
  readonly commonName: string;
  /** server, client, peer, ca, or `unknown` for a found certificate with no telling EKU. */
  readonly profile: string;
  readonly origin: ListOrigin;
  readonly notAfter: string;
  readonly daysLeft: number;
  readonly status: ListStatus;
  /** Relative to the PKI root. */
  readonly path: string;
}

export interface ListOptions {
  readonly now?: Date;
  /** Only certificates whose notAfter falls within this many milliseconds (expired ones included). */
  readonly expiringWithinMs?: number;
  readonly profile?: string;
  /** Only certificates in one of these states. */
  readonly statuses?: readonly ListStatus[];
}

export interface ListResult {
  readonly entries: ListEntry[];
  /** Files that look like certificates or records but hold none. */
  readonly unreadable: string[];
  /** `path: reason` for files that exist but could not be read: errors to report, never a certificate's state. */
  readonly errors: string[];
}

const CERTIFICATE_FILE = /\.(crt|pem|cer)$/;
/** Folders under the PKI root that hold no certificates worth listing. */
const SKIPPED_DIRS = new Set(["db", "crl", "csr"]);

/**
 * Every certificate-looking file under the PKI root, one directory listed at a time (a PKI
 * has few directories and many files), so the walk holds one descriptor however wide it is.
 */
async function certificateFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const pending: { dir: string; top: boolean }[] = [{ dir: root, top: true }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { dir, top } = next;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.name.startsWith(".") || isTempFileName(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!(top && SKIPPED_DIRS.has(entry.name))) pending.push({ dir: path, top: false });
      } else if (entry.isFile() && CERTIFICATE_FILE.test(entry.name)) {
        files.push(path);
      }
    }
  }
  return files;
}

/** What a found certificate looks like it is for, from its basic constraints and EKU. */
function inferProfile(der: Buffer): string {
  const ext = parseExtensions(der);
  if (ext.basicConstraints?.cA) return "ca";
  const eku = [...(ext.extendedKeyUsage ?? [])];
  const server = eku.includes(EKU_SERVER_AUTH);
  const client = eku.includes(EKU_CLIENT_AUTH);
  if (server && client) return "peer";
  if (server) return "server";
  if (client) return "client";
  return "unknown";
}

function statusAt(notBefore: Date, notAfter: Date, now: Date): ListStatus {
  if (now < notBefore) return "not-yet-valid";
  if (now > notAfter) return "expired";
  return "valid";
}

interface FoundCertificate {
  readonly path: string;
  readonly der: Buffer;
  readonly certificate: X509Certificate;
  readonly serial: string;
}

/** A certificate file as read: a certificate, something else, absent, or an error to report. */
type ReadOutcome =
  | { readonly kind: "certificate"; readonly found: FoundCertificate }
  | { readonly kind: "not-a-certificate" }
  | { readonly kind: "absent" }
  | { readonly kind: "error"; readonly message: string };

/** Why a file that exists cannot be read, in words (EISDIR and a dangling link's ENOENT say it badly). */
async function readFailure(path: string, error: unknown): Promise<ReadOutcome> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EISDIR") return { kind: "error", message: "is a directory, not a certificate file" };
  if (code === "ENOENT") {
    const link = await lstat(path).catch(() => undefined);
    if (!link) return { kind: "absent" };
    if (link.isSymbolicLink())
      return {
        kind: "error",
        message: `is a symbolic link to ${await readlink(path).catch(() => "?")}, which does not exist`,
      };
  }
  return { kind: "error", message: (error as Error).message };
}

async function readCertificateFile(path: string): Promise<ReadOutcome> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return readFailure(path, error);
  }
  const block = decodePemBlocks(text).find((candidate) =>
    (CERTIFICATE_LABELS as readonly string[]).includes(candidate.label),
  );
  if (!block) return { kind: "not-a-certificate" };
  try {
    const certificate = new X509Certificate(block.der);
    return {
      kind: "certificate",
      found: { path, der: block.der, certificate, serial: normalizeSerial(certificate.serialNumber) },
    };
  } catch {
    return { kind: "not-a-certificate" };
  }
}

/**
 * Whether the key at `keyPath` (relative) belongs to the certificate: undefined when there is no
 * key to compare, `unreadable` (and an error) when a key file is there but cannot be read.
 */
async function keyCheck(
  layout: PkiLayout,
  keyPath: string,
  certificate: X509Certificate,
  errors: string[],
): Promise<KeyMatch | "unreadable" | undefined> {
  const path = join(layout.root, keyPath);
  try {
    const match = await keyFileMatches(path, certificate);
    // An empty, truncated or garbage key file is no key libpq or PostgreSQL can use.
    if (match === "not-a-key") {
      errors.push(`${keyPath}: holds no private key (empty, truncated or not PEM)`);
      return "unreadable";
    }
    return match;
  } catch (error) {
    const outcome = await readFailure(path, error);
    // A key that was moved away (exported to its user) leaves a certificate to list, not an error.
    if (outcome.kind !== "error") return undefined;
    errors.push(`${keyPath}: ${outcome.message}`);
    return "unreadable";
  }
}

/** The status a key check imposes on its certificate's row, or undefined when it leaves the row as dated. */
function keyStatus(check: Awaited<ReturnType<typeof keyCheck>>): ListStatus | undefined {
  if (check === "mismatch") return "key-mismatch";
  if (check === "unreadable") return "key-unreadable";
  return undefined;
}

/**
 * The certificate list: every certificate pgwarden recorded, checked against the files, plus
 * every certificate under the PKI directory it did not make (a Pigsty `files/pki`), as found.
 * A pair whose key does not belong to its certificate is `key-mismatch`. A file that exists
 * but cannot be read is an error in `errors`, never a state of the certificate. Files are
 * read a bounded number at a time, so no `ulimit -n` turns a certificate into `missing`.
 */
export async function listCertificates(layout: PkiLayout, options: ListOptions = {}): Promise<ListResult> {
  const now = options.now ?? new Date();
  const errors: string[] = [];
  // Finish what a killed writer left half done, so the list shows the pairs as they stand.
  await recoverInterruptedWrites(layout).catch((error: unknown) =>
    errors.push(`${layout.journalDir}: cannot finish an interrupted write: ${(error as Error).message}`),
  );
  const [{ records, unreadable, failed }, paths, { revocations, unreadable: badRevocations }] = await Promise.all([
    readRecords(layout),
    certificateFiles(layout.root),
    readRevocations(layout),
  ]);
  const revoked = new Set(revocations.map((revocation) => `${revocation.issuerName}/${revocation.serial}`));
  errors.push(...failed);
  const outcomes = new Map<string, ReadOutcome>();
  const read = await mapBounded(paths, readCertificateFile);
  paths.forEach((path, index) => outcomes.set(relative(layout.root, path), read[index] as ReadOutcome));
  // A recorded certificate the walk did not meet (a symlink, a directory, gone) is looked at directly.
  const unseen = [...new Set(records.map((record) => record.certPath))].filter((path) => !outcomes.has(path));
  const direct = await mapBounded(unseen, (path) => readCertificateFile(join(layout.root, path)));
  unseen.forEach((path, index) => outcomes.set(path, direct[index] as ReadOutcome));

  const unreadableFiles: string[] = [];
  const foundByPath = new Map<string, FoundCertificate>();
  for (const [path, outcome] of outcomes) {
    if (outcome.kind === "certificate") foundByPath.set(path, outcome.found);
    else if (outcome.kind === "error") errors.push(`${path}: ${outcome.message}`);
    else if (outcome.kind === "not-a-certificate") unreadableFiles.push(join(layout.root, path));
  }

  const recordedSerials = new Set<string>();
  const entries = await mapBounded(records, async (record: CertificateRecord): Promise<ListEntry | undefined> => {
    recordedSerials.add(normalizeSerial(record.serial));
    const outcome = outcomes.get(record.certPath);
    if (outcome?.kind === "error" || outcome?.kind === "not-a-certificate") return undefined;
    const onDisk = foundByPath.get(record.certPath);
    const notAfter = new Date(record.notAfter);
    let status = statusAt(new Date(record.notBefore), notAfter, now);
    if (!onDisk) status = "missing";
    else if (onDisk.serial !== normalizeSerial(record.serial)) status = "replaced";
    else {
      // A signed certificate's key stays with the requester; a key file beside it all the same (an old `cert issue`) must be its key.
      const keyPath = record.keyPath ?? record.certPath.replace(CERTIFICATE_FILE, ".key");
      status = keyStatus(await keyCheck(layout, keyPath, onDisk.certificate, errors)) ?? status;
    }
    // Taken back: what matters most about it, whatever its files say.
    if (revoked.has(`${recordIssuerName(record)}/${normalizeSerial(record.serial)}`)) status = "revoked";
    return {
      serial: record.serial,
      commonName: record.commonName,
      profile: record.profile,
      origin: record.origin,
      notAfter: record.notAfter,
      daysLeft: daysUntil(notAfter, now),
      status,
      path: record.certPath,
    };
  });
  const unrecorded = [...foundByPath].filter(([, found]) => !recordedSerials.has(found.serial));
  const foundEntries = await mapBounded(unrecorded, async ([path, found]): Promise<ListEntry> => {
    const notAfter = new Date(found.certificate.validTo);
    let status = statusAt(new Date(found.certificate.validFrom), notAfter, now);
    // A Pigsty pair sits side by side: <name>.crt and <name>.key.
    const keyPath = path.replace(CERTIFICATE_FILE, ".key");
    status = keyStatus(await keyCheck(layout, keyPath, found.certificate, errors)) ?? status;
    return {
      serial: found.serial,
      commonName:
        /(?:^|\n)CN=([^\n]*)/.exec(found.certificate.subject)?.[1] ?? found.certificate.subject.split("\n").join(", "),
      profile: inferProfile(found.der),
      origin: "found",
      notAfter: notAfter.toISOString(),
      daysLeft: daysUntil(notAfter, now),
      status,
      path,
    };
  });
  const horizon = options.expiringWithinMs === undefined ? undefined : now.getTime() + options.expiringWithinMs;
  const selected = [...entries, ...foundEntries].filter(
    (entry): entry is ListEntry =>
      entry !== undefined &&
      (horizon === undefined || new Date(entry.notAfter).getTime() <= horizon) &&
      (options.profile === undefined || entry.profile === options.profile) &&
      (options.statuses === undefined || options.statuses.includes(entry.status)),
  );
  selected.sort((a, b) => a.notAfter.localeCompare(b.notAfter) || a.path.localeCompare(b.path));
  return {
    entries: selected,
    unreadable: [...unreadable, ...unreadableFiles, ...badRevocations],
    errors: errors.sort(),
  };
}
