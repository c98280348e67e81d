import type { CertificateInfo } from "../pki/inspect/certificate-info.js";
import { formatSubjectAltName } from "../pki/names/subject-alt-name.js";

/** Aligned `key: value` lines, as people read a record. */
export function keyValueLines(rows: readonly (readonly [string, string | number | null | undefined])[]): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows
    .filter(([, value]) => value !== undefined && value !== null && value !== "")
    .map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${value}`)
    .join("\n");
}

/** A plain text table with a header row; columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

export function validityText(info: Pick<CertificateInfo, "notBefore" | "notAfter" | "daysLeft">): string {
  // daysLeft is rounded down: -1 is less than a day ago, -2 between one and two days ago.
  const daysAgo = -info.daysLeft - 1;
  const expired =
    daysAgo === 0 ? "expired less than a day ago" : `expired ${daysAgo} day${daysAgo === 1 ? "" : "s"} ago`;
  const state = info.daysLeft < 0 ? expired : `${info.daysLeft} days left`;
  return `${info.notBefore} to ${info.notAfter} (${state})`;
}

/** The readable form of a certificate, as `cert inspect` and `ca show` print it. */
export function certificateText(info: CertificateInfo, path?: string): string {
  const constraints = info.basicConstraints
    ? info.basicConstraints.ca
      ? `CA${info.basicConstraints.pathLength === null ? "" : `, path length ${info.basicConstraints.pathLength}`}`
      : "not a CA"
    : null;
  return keyValueLines([
    ["path", path],
    ["subject", info.subject],
    ["issuer", info.selfSigned ? `${info.issuer} (self-signed)` : info.issuer],
    ["serial", info.serial],
    ["validity", validityText(info)],
    ["subject alt names", info.subjectAltNames.map(formatSubjectAltName).join(", ")],
    ["key usage", info.keyUsage.join(", ")],
    ["extended key usage", info.extendedKeyUsage.join(", ")],
    ["basic constraints", constraints],
    ["key", `${info.keyType}${info.keyBits ? ` (${info.keyBits} bits)` : ""}`],
    ["signature", info.signatureAlgorithm],
    ["subject key id", info.subjectKeyId],
    ["authority key id", info.authorityKeyId],
    ["sha256 fingerprint", info.fingerprintSha256],
    ["sha1 fingerprint", info.fingerprintSha1],
  ]);
}
