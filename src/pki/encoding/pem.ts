import { X509Certificate } from "node:crypto";

import { type PgwardenError, pkiError, usageError } from "../../core/errors.js";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

/** Every PEM block in a text, in order. */
export function decodePemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(PEM_BLOCK)].map((match) => ({
    label: match[1] ?? "",
    der: Buffer.from((match[2] ?? "").replace(/\s+/g, ""), "base64"),
  }));
}

/**
 * Where a PEM file comes from, which decides what its damage is (README, exit codes):
 * `input`, a file the person names on the command line (`cert inspect FILE`): invalid input, exit 2;
 * `pki`, a file in the PKI directory that pgwarden keeps (`ca/ca.crt`): a PKI failure, exit 7.
 */
export type PemOrigin = "input" | "pki";

/**
 * The one error for a PEM file that does not hold what it should, by where it comes from:
 * `problem`, then what to do (`hint` for an input file; restoring the PKI for a PKI file).
 */
export function badPemError(
  origin: PemOrigin,
  code: string,
  problem: string,
  hint: string,
  cause?: unknown,
): PgwardenError {
  return origin === "pki"
    ? pkiError(code, `${problem}: the PKI is damaged, restore it from a backup`, cause)
    : usageError(code, `${problem}: ${hint}`);
}

/**
 * The DER of each block with one of `labels`; an error naming `source` when there is none
 * (a truncated file, or not PEM at all): exit 2 for an input file, 7 for a PKI file.
 */
export function decodePem(
  text: string | Buffer,
  labels: readonly string[],
  source: string,
  origin: PemOrigin = "input",
): Buffer[] {
  const blocks = decodePemBlocks(text.toString()).filter((block) => labels.includes(block.label));
  if (blocks.length === 0) {
    const expected = labels.map((l) => `BEGIN ${l}`).join(" or ");
    throw badPemError(
      origin,
      "not-pem",
      `${source} holds no complete PEM block (${expected})`,
      "is it truncated, or not PEM?",
    );
  }
  return blocks.map((block) => block.der);
}

export const CERTIFICATE_LABELS = ["CERTIFICATE", "TRUSTED CERTIFICATE"] as const;

/**
 * The first certificate of a PEM text, or undefined when it holds none that parses: for a
 * file pgwarden looks at to decide what to do (keep, replace, report), where a damaged or
 * foreign file is an answer, not an error.
 */
export function firstCertificateOrNone(text: string | Buffer): X509Certificate | undefined {
  const block = decodePemBlocks(text.toString()).find((candidate) =>
    (CERTIFICATE_LABELS as readonly string[]).includes(candidate.label),
  );
  if (!block) return undefined;
  try {
    return new X509Certificate(block.der);
  } catch {
    return undefined;
  }
}

/**
 * Every certificate in a PEM text, each checked to be X.509 that OpenSSL parses, so that a
 * PEM-armoured block of garbage is the same error (exit 2 for an input file, 7 for a PKI
 * file) for every command that reads certificates, not a different one for each.
 */
export function decodeCertificates(text: string | Buffer, source: string, origin: PemOrigin = "input"): Buffer[] {
  const ders = decodePem(text, CERTIFICATE_LABELS, source, origin);
  ders.forEach((der, index) => {
    try {
      new X509Certificate(der);
    } catch (error) {
      const which = ders.length === 1 ? "" : ` (block ${index + 1})`;
      throw badPemError(
        origin,
        "bad-certificate",
        `${source}${which} holds a PEM block that is not a valid X.509 certificate`,
        "give a PEM certificate",
        error,
      );
    }
  });
  return ders;
}
