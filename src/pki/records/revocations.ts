import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

import { usageError } from "../../core/errors.js";
import {
  ensureDirectory,
  isTempFileName,
  PRIVATE_DIR_MODE,
  PUBLIC_FILE_MODE,
  syncDirectory,
  writeFileAtomic,
} from "../../core/fs/atomic-write.js";
import type { PkiLayout } from "../pki-layout.js";

/*
 * Revocations: one small JSON file per revoked certificate in `db/revocations/`, created
 * exclusively under a name of its own and written atomically. Two `cert revoke`s at once
 * write two files, so neither is lost, and a kill leaves each file whole or absent. A CRL
 * is always made from all of them (`revocation/`), never kept as the only copy.
 */

export const REVOCATION_FORMAT_VERSION = 1;

/** RFC 5280 CRLReason values `cert revoke --reason` accepts, with their codes. */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function parseRevocationReason(value: string): RevocationReason {
  if (Object.hasOwn(REVOCATION_REASONS, value)) return value as RevocationReason;
  throw usageError(
    "bad-reason",
    `--reason ${JSON.stringify(value)} is not a revocation reason: use one of ${Object.keys(REVOCATION_REASONS).join(", ")}`,
  );
}

/** One certificate taken back. */
export interface RevocationRecord {
  readonly version: typeof REVOCATION_FORMAT_VERSION;
  /** Lower-case hex, as the certificate records write it. */
  readonly serial: string;
  /** The issuer's name in the PKI ("ca" for the root). */
  readonly issuerName: string;
  /** The issuer's subject key identifier (hex) when known. */
  readonly issuerKeyId?: string;
  readonly revokedAt: string;
  readonly reason: RevocationReason;
}

const SUFFIX = ".json";

/** Records one revocation in a file of its own; returns its path. */
export async function addRevocation(layout: PkiLayout, revocation: RevocationRecord): Promise<string> {
  await ensureDirectory(layout.dbDir, PRIVATE_DIR_MODE);
  await ensureDirectory(layout.revocationsDir, PRIVATE_DIR_MODE);
  const stamp = revocation.revokedAt.replace(/[-:.]/g, "");
  const name = `${revocation.serial}-${stamp}-${process.pid}-${randomBytes(4).toString("hex")}${SUFFIX}`;
  const path = join(layout.revocationsDir, name);
  await writeFileAtomic(path, `${JSON.stringify(revocation)}\n`, { mode: PUBLIC_FILE_MODE, exclusive: true });
  await syncDirectory(layout.revocationsDir);
  return path;
}

export interface RevocationsRead {
  /** One per serial and issuer: the earliest revocation of it. */
  readonly revocations: RevocationRecord[];
  /** Files pgwarden cannot read as a revocation. */
  readonly unreadable: string[];
}

function isRevocation(value: unknown): value is RevocationRecord {
  const record = value as Partial<RevocationRecord> | null;
  return (
    typeof record === "object" &&
    record !== null &&
    record.version === REVOCATION_FORMAT_VERSION &&
    typeof record.serial === "string" &&
    /^[0-9a-f]+$/.test(record.serial) &&
    typeof record.issuerName === "string" &&
    typeof record.revokedAt === "string" &&
    !Number.isNaN(Date.parse(record.revokedAt)) &&
    typeof record.reason === "string" &&
    Object.hasOwn(REVOCATION_REASONS, record.reason)
  );
}

/** Every revocation on record, the earliest per (issuer, serial), sorted by time then serial. */
export async function readRevocations(layout: PkiLayout): Promise<RevocationsRead> {
  let names: string[];
  try {
    names = await readdir(layout.revocationsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { revocations: [], unreadable: [] };
    throw error;
  }
  const unreadable: string[] = [];
  const found: RevocationRecord[] = [];
  // Read synchronously: each file is a hundred bytes, and for 100,000 of them one thread reading in
  // place takes about a second where promises through the libuv pool took ten (bench:crl).
  for (const name of names) {
    if (!name.endsWith(SUFFIX) || isTempFileName(name)) continue;
    const path = join(layout.revocationsDir, name);
    try {
      const value: unknown = JSON.parse(readFileSync(path, "utf8"));
      if (isRevocation(value)) found.push(value);
      else unreadable.push(path);
    } catch {
      unreadable.push(path);
    }
  }
  const earliest = new Map<string, RevocationRecord>();
  for (const revocation of found) {
    const key = `${revocation.issuerName}/${revocation.serial}`;
    const seen = earliest.get(key);
    if (!seen || revocation.revokedAt < seen.revokedAt) earliest.set(key, revocation);
  }
  // Plain comparisons: ISO times and hex serials sort as strings, and localeCompare is slow for 100,000.
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const revocations = [...earliest.values()].sort(
    (a, b) => compare(a.revokedAt, b.revokedAt) || compare(a.serial, b.serial),
  );
  return { revocations, unreadable: unreadable.sort() };
}

/**
 * The revocations of one serial, found by file name (each file's name starts with the serial it
 * revokes), so that checking one issuer does not read every revocation of a large PKI.
 */
export async function revocationsOfSerial(layout: PkiLayout, serial: string): Promise<RevocationRecord[]> {
  let names: string[];
  try {
    names = await readdir(layout.revocationsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const found: RevocationRecord[] = [];
  for (const name of names.filter((entry) => entry.startsWith(`${serial}-`) && entry.endsWith(SUFFIX))) {
    const value: unknown = JSON.parse(await readFile(join(layout.revocationsDir, name), "utf8").catch(() => "null"));
    if (isRevocation(value) && value.serial === serial) found.push(value);
  }
  return found.sort((a, b) => a.revokedAt.localeCompare(b.revokedAt));
}
