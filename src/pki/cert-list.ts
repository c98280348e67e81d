import { X509Certificate } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { isTempFileName } from "../fs/atomic-write.js";
import { parseExtensions } from "./certificate-info.js";
import { readRecords, type CertificateRecord } from "./inventory.js";
import { CERTIFICATE_LABELS, decodePemBlocks } from "./pem.js";
import type { PkiLayout } from "./pki-layout.js";
import { EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from "./profiles.js";
import { normalizeSerial } from "./serial.js";
import { daysUntil } from "./validity.js";

/** Where a listed certificate came from: made by pgwarden, or found under the PKI directory. */
export type ListOrigin = "issued" | "signed" | "found";
export type ListStatus = "valid" | "expired" | "not-yet-valid" | "missing" | "replaced";

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
}

export interface ListResult {
  readonly entries: ListEntry[];
  /** Files that look like certificates or records but could not be read. */
  readonly unreadable: string[];
}

const CERTIFICATE_FILE = /\.(crt|pem|cer)$/;
/** Folders under the PKI root that hold no certificates worth listing. */
const SKIPPED_DIRS = new Set(["db", "crl", "csr"]);

async function certificateFiles(dir: string, top: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map(async (entry) => {
      if (entry.name.startsWith(".") || isTempFileName(entry.name)) return [];
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return top && SKIPPED_DIRS.has(entry.name) ? [] : certificateFiles(path, false);
      return entry.isFile() && CERTIFICATE_FILE.test(entry.name) ? [path] : [];
    }),
  );
  return nested.flat();
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

async function readFound(path: string): Promise<FoundCertificate | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  const block = decodePemBlocks(text).find((candidate) => (CERTIFICATE_LABELS as readonly string[]).includes(candidate.label));
  if (!block) return undefined;
  try {
    const certificate = new X509Certificate(block.der);
    return { path, der: block.der, certificate, serial: normalizeSerial(certificate.serialNumber) };
  } catch {
    return undefined;
  }
}

/**
 * The inventory: every certificate pgwarden recorded, checked against the files, plus
 * every certificate under the PKI directory it did not make (a Pigsty `files/pki`), as found.
 */
export async function listCertificates(layout: PkiLayout, options: ListOptions = {}): Promise<ListResult> {
  const now = options.now ?? new Date();
  const [{ records, unreadable }, paths] = await Promise.all([readRecords(layout), certificateFiles(layout.root, true)]);
  const files = await Promise.all(paths.map(readFound));
  const foundByPath = new Map<string, FoundCertificate>();
  const unreadableFiles: string[] = [];
  files.forEach((found, index) => (found ? foundByPath.set(relative(layout.root, found.path), found) : unreadableFiles.push(paths[index] as string)));

  const recordedSerials = new Set<string>();
  const entries: ListEntry[] = records.map((record: CertificateRecord) => {
    recordedSerials.add(normalizeSerial(record.serial));
    const onDisk = foundByPath.get(record.certPath);
    const notAfter = new Date(record.notAfter);
    let status = statusAt(new Date(record.notBefore), notAfter, now);
    if (!onDisk) status = "missing";
    else if (onDisk.serial !== normalizeSerial(record.serial)) status = "replaced";
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
  for (const [path, found] of foundByPath) {
    if (recordedSerials.has(found.serial)) continue;
    const notAfter = new Date(found.certificate.validTo);
    entries.push({
      serial: found.serial,
      commonName: /(?:^|\n)CN=([^\n]*)/.exec(found.certificate.subject)?.[1] ?? found.certificate.subject.split("\n").join(", "),
      profile: inferProfile(found.der),
      origin: "found",
      notAfter: notAfter.toISOString(),
      daysLeft: daysUntil(notAfter, now),
      status: statusAt(new Date(found.certificate.validFrom), notAfter, now),
      path,
    });
  }
  const horizon = options.expiringWithinMs === undefined ? undefined : now.getTime() + options.expiringWithinMs;
  const selected = entries.filter(
    (entry) =>
      (horizon === undefined || new Date(entry.notAfter).getTime() <= horizon) && (options.profile === undefined || entry.profile === options.profile),
  );
  selected.sort((a, b) => a.notAfter.localeCompare(b.notAfter) || a.path.localeCompare(b.path));
  return { entries: selected, unreadable: [...unreadable, ...unreadableFiles] };
}
