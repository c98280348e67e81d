import { readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { pkiError } from "../errors.js";
import { FileExistsError, PRIVATE_DIR_MODE, PUBLIC_FILE_MODE, ensureDirectory, isTempFileName, writeFileAtomic } from "../fs/atomic-write.js";
import type { PkiLayout } from "./pki-layout.js";

export const RECORD_FORMAT_VERSION = 1;

/** How a certificate came to be: key and certificate made here, or a CSR signed here. */
export type RecordOrigin = "issued" | "signed";

/**
 * pgwarden's record of one certificate it made, stored as `db/certs/<serial>.json`.
 * One file per record: created exclusively, so two processes can never record the same
 * serial, and never rewritten, so no record is lost to a concurrent writer or a crash.
 */
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
  readonly subjectAltNames: string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly fingerprintSha256: string;
  /** Relative to the PKI root. */
  readonly certPath: string;
  /** Relative to the PKI root; null for a signed CSR, whose key never came here. */
  readonly keyPath: string | null;
  readonly issuedAt: string;
}

function recordPath(layout: PkiLayout, serial: string): string {
  return join(layout.recordsDir, `${serial}.json`);
}

/** Writes a new record; fails if the serial is already recorded. */
export async function addRecord(layout: PkiLayout, record: CertificateRecord): Promise<void> {
  await ensureDirectory(layout.dbDir, PRIVATE_DIR_MODE);
  await ensureDirectory(layout.recordsDir, PRIVATE_DIR_MODE);
  try {
    await writeFileAtomic(recordPath(layout, record.serial), `${JSON.stringify(record, null, 2)}\n`, { mode: PUBLIC_FILE_MODE, exclusive: true });
  } catch (error) {
    if (error instanceof FileExistsError) throw pkiError("duplicate-serial", `serial ${record.serial} is already in the inventory; nothing was written`);
    throw error;
  }
}

/** Removes a record (only to roll back an issue that failed before its files were written). */
export async function removeRecord(layout: PkiLayout, serial: string): Promise<void> {
  await unlink(recordPath(layout, serial)).catch(() => undefined);
}

export interface InventoryReadResult {
  readonly records: CertificateRecord[];
  /** Files in db/certs that are not records pgwarden can read. */
  readonly unreadable: string[];
}

export async function readRecords(layout: PkiLayout): Promise<InventoryReadResult> {
  let names: string[];
  try {
    names = await readdir(layout.recordsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { records: [], unreadable: [] };
    throw error;
  }
  const records: CertificateRecord[] = [];
  const unreadable: string[] = [];
  await Promise.all(
    names
      .filter((name) => name.endsWith(".json") && !isTempFileName(name))
      .map(async (name) => {
        const path = join(layout.recordsDir, name);
        try {
          const record = JSON.parse(await readFile(path, "utf8")) as CertificateRecord;
          if (record.version !== RECORD_FORMAT_VERSION || typeof record.serial !== "string") throw new Error("not a record");
          records.push(record);
        } catch {
          unreadable.push(path);
        }
      }),
  );
  records.sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.serial.localeCompare(b.serial));
  return { records, unreadable };
}
