import { normalizeSerial } from "../encoding/serial.js";
import type { CertificateRecord } from "../records/certificate-records.js";

/**
 * The certificates one renewal chain holds: `start`, the ones it renewed, and the ones that
 * renewed it (`renews` links, both ways), oldest first. `cert renew` keeps the key unless
 * `--rekey`, so an older certificate of the chain may carry the very key a revocation is about.
 */
export function renewalChain(records: readonly CertificateRecord[], start: CertificateRecord): CertificateRecord[] {
  const bySerial = new Map(records.map((record) => [normalizeSerial(record.serial), record]));
  const successors = new Map<string, CertificateRecord[]>();
  for (const record of records) {
    if (record.renews === undefined) continue;
    const key = normalizeSerial(record.renews);
    successors.set(key, [...(successors.get(key) ?? []), record]);
  }
  const seen = new Map<string, CertificateRecord>();
  const queue = [start];
  while (queue.length > 0) {
    const record = queue.pop() as CertificateRecord;
    const serial = normalizeSerial(record.serial);
    if (seen.has(serial)) continue;
    seen.set(serial, record);
    const previous = record.renews === undefined ? undefined : bySerial.get(normalizeSerial(record.renews));
    if (previous) queue.push(previous);
    queue.push(...(successors.get(serial) ?? []));
  }
  return [...seen.values()].sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.serial.localeCompare(b.serial));
}
