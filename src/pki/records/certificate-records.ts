import { randomBytes } from "node:crypto";
import { readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";

import {
  ensureDirectory,
  isTempFileName,
  PRIVATE_DIR_MODE,
  PUBLIC_FILE_MODE,
  writeFileAtomic,
} from "../../core/fs/atomic-write.js";
import { mapBounded } from "../../core/fs/bounded.js";
import type { PkiLayout } from "../pki-layout.js";

/*
 * The certificate records: one JSON-lines file per write in `layout.recordsDir`, a line per
 * certificate pgwarden issued or signed. ("inventory" in pgwarden means the Pigsty file only.)
 */

export const RECORD_FORMAT_VERSION = 1;

/** How a certificate came to be: key and certificate made here, or a CSR signed here. */
export type RecordOrigin = "issued" | "signed";

/** pgwarden's record of one certificate it made. */
export interface CertificateRecord {
  readonly version: typeof RECORD_FORMAT_VERSION;
  readonly serial: string;
  readonly commonName: string;
  readonly profile: string;
  readonly group: string;
  readonly origin: RecordOrigin;
  readonly keyType: string;
  readonly subject: string;
  readonly issuer: string;
  /**
   * The issuer's name in the PKI (`authority/issuers.ts`): "ca" for the root, else the intermediate's.
   * Absent in records written before intermediates existed, which the root signed.
   */
  readonly issuerName?: string;
  /** The issuer's subject key identifier (hex), which tells apart a root and the root that replaced it. */
  readonly issuerKeyId?: string;
  readonly subjectAltNames: string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly fingerprintSha256: string;
  /** Relative to the PKI root. */
  readonly certPath: string;
  /** Relative to the PKI root; null for a signed CSR, whose key never came here. */
  readonly keyPath: string | null;
  readonly issuedAt: string;
  /** The serial of the certificate this one renewed (`cert renew`), absent for a first issue. */
  readonly renews?: string;
}

/** The record's issuer name: records from before intermediates existed were signed by the root. */
export function recordIssuerName(record: CertificateRecord): string {
  return record.issuerName ?? "ca";
}

/**
 * A file of records written together (one command, or one chunk of a batch), as JSON
 * lines in `db/certs/`. Each file is created exclusively under a name of its own and
 * written atomically, so concurrent processes never touch each other's records and a
 * crash leaves each file whole or absent. Serials are 128 random bits, so two processes
 * drawing the same one is not a case that happens.
 */
export interface RecordFile {
  readonly path: string;
}

const RECORD_FILE_SUFFIX = ".jsonl";

function encodeRecords(records: readonly CertificateRecord[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join("");
}

/** A name of its own for a new record file, chosen before it is written (a journal names it in advance). */
export function newRecordFileName(now: Date): string {
  return `${now.toISOString().replace(/[-:.]/g, "")}-${process.pid}-${randomBytes(6).toString("hex")}${RECORD_FILE_SUFFIX}`;
}

export async function addRecords(
  layout: PkiLayout,
  records: readonly CertificateRecord[],
  now: Date,
  name: string = newRecordFileName(now),
): Promise<RecordFile> {
  await ensureDirectory(layout.dbDir, PRIVATE_DIR_MODE);
  await ensureDirectory(layout.recordsDir, PRIVATE_DIR_MODE);
  const path = join(layout.recordsDir, name);
  await writeFileAtomic(path, encodeRecords(records), { mode: PUBLIC_FILE_MODE, exclusive: true });
  return { path };
}

/** Replaces a record file's content (to drop the records of leaves that failed to be written). */
export async function rewriteRecords(file: RecordFile, records: readonly CertificateRecord[]): Promise<void> {
  if (records.length === 0) await unlink(file.path).catch(() => undefined);
  else await writeFileAtomic(file.path, encodeRecords(records), { mode: PUBLIC_FILE_MODE });
}

export interface CertificateRecordsRead {
  readonly records: CertificateRecord[];
  /** Record files or lines (`path:line`) that pgwarden cannot read. */
  readonly unreadable: string[];
  /** Record files that could not be read at all (`path: reason`): an error, not a state of any certificate. */
  readonly failed: string[];
}

export async function readRecords(layout: PkiLayout): Promise<CertificateRecordsRead> {
  let names: string[];
  try {
    names = await readdir(layout.recordsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { records: [], unreadable: [], failed: [] };
    throw error;
  }
  const records: CertificateRecord[] = [];
  const unreadable: string[] = [];
  const failed: string[] = [];
  await mapBounded(
    names.filter((name) => name.endsWith(RECORD_FILE_SUFFIX) && !isTempFileName(name)),
    async (name) => {
      const path = join(layout.recordsDir, name);
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        // Gone since the listing (a concurrent rewrite dropped it): nothing to read.
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") failed.push(`${path}: ${(error as Error).message}`);
        return;
      }
      const lines = text.split("\n");
      lines.forEach((line, index) => {
        if (line.length === 0) return;
        try {
          const record = JSON.parse(line) as CertificateRecord;
          if (record.version !== RECORD_FORMAT_VERSION || typeof record.serial !== "string")
            throw new Error("not a record");
          records.push(record);
        } catch {
          unreadable.push(`${path}:${index + 1}`);
        }
      });
    },
  );
  records.sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.serial.localeCompare(b.serial));
  return { records, unreadable, failed };
}
