import { createHash } from "node:crypto";

import type { Finding } from "../../core/finding.js";

/** Hex digits kept of the SHA-256: 64 bits, plenty to tell a file's findings apart. */
const FINGERPRINT_HEX_DIGITS = 16;

/**
 * What a baseline knows a finding by: its check and its rule's text (whitespace collapsed),
 * never its line, so a baseline stays valid when rules move. A finding with no rule text
 * (a line PostgreSQL cannot read) is known by its message.
 */
export function findingFingerprint(finding: Pick<Finding, "id" | "rule" | "message">): string {
  const text = finding.rule.trim() === "" ? finding.message : finding.rule.trim().split(/\s+/).join(" ");
  return createHash("sha256").update(`${finding.id}\n${text}`).digest("hex").slice(0, FINGERPRINT_HEX_DIGITS);
}
