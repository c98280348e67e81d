import { usageError } from "../errors.js";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

/** Every PEM block in a text, in order. */
export function decodePemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1] ?? "", der: Buffer.from((match[2] ?? "").replace(/\s+/g, ""), "base64") }));
}

/**
 * The DER of each block with one of `labels`; a usage error naming `source` when there
 * is none (a truncated file, or not PEM at all).
 */
export function decodePem(text: string | Buffer, labels: readonly string[], source: string): Buffer[] {
  const blocks = decodePemBlocks(text.toString()).filter((block) => labels.includes(block.label));
  if (blocks.length === 0) {
    throw usageError("not-pem", `${source} holds no complete PEM block (${labels.map((l) => `BEGIN ${l}`).join(" or ")}): is it truncated, or not PEM?`);
  }
  return blocks.map((block) => block.der);
}

export const CERTIFICATE_LABELS = ["CERTIFICATE", "TRUSTED CERTIFICATE"] as const;
