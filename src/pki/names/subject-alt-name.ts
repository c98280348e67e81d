import { isIPv4, isIPv6 } from "node:net";

import { usageError } from "../../core/errors.js";
import { describeBadCharacter } from "./common-name.js";

export type SubjectAltName =
  { readonly type: "dns"; readonly value: string } | { readonly type: "ip"; readonly value: string };

/** RFC 1035: a host name is at most 253 characters, each label 1 to 63. */
export const MAX_DNS_NAME_LENGTH = 253;
export const MAX_DNS_LABEL_LENGTH = 63;
const DNS_LABEL_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const DOTTED_NUMBERS_PATTERN = /^[0-9.]+$/;

export interface ParseSanOptions {
  /** Accept `*.example.com` (a leftmost `*` label). Default false. */
  allowWildcard?: boolean;
}

/**
 * Parses one `--san` value: a DNS name, an IPv4 or IPv6 address, optionally prefixed
 * `DNS:` or `IP:` as OpenSSL writes them. Addresses are normalised; names lowercased.
 */
export function parseSubjectAltName(input: string, options: ParseSanOptions = {}): SubjectAltName {
  const bad = describeBadCharacter(input);
  if (bad) throw usageError("bad-san", `SAN ${JSON.stringify(input)} ${bad}`);
  if (input.length === 0) throw usageError("bad-san", "SAN is empty: give a host name or an IP address");

  const prefixed = /^(dns|ip):(.*)$/i.exec(input);
  const kind = prefixed?.[1]?.toLowerCase();
  const value = prefixed?.[2] ?? input;

  if (kind === "ip" || (kind === undefined && looksLikeAddress(value)))
    return { type: "ip", value: parseAddress(value, input) };
  return { type: "dns", value: parseDnsName(value, input, options) };
}

function looksLikeAddress(value: string): boolean {
  return value.includes(":") || DOTTED_NUMBERS_PATTERN.test(value);
}

function parseAddress(value: string, input: string): string {
  const unbracketed = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  if (isIPv4(unbracketed)) return unbracketed;
  if (isIPv6(unbracketed) && !unbracketed.includes("%")) return normalizeIPv6(unbracketed);
  const family = unbracketed.includes(":") ? "IPv6" : "IPv4";
  throw usageError("bad-san", `SAN "${input}" is not a valid ${family} address`);
}

/** Canonical text of an IPv6 address (lowercase, zeros compressed) via the URL parser. */
function normalizeIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

function parseDnsName(value: string, input: string, options: ParseSanOptions): string {
  const name = value.toLowerCase().replace(/\.$/, "");
  if (name.length === 0) throw usageError("bad-san", `SAN "${input}" is empty after its prefix`);
  if (name.length > MAX_DNS_NAME_LENGTH) {
    throw usageError(
      "bad-san",
      `SAN "${input}" is longer than ${MAX_DNS_NAME_LENGTH} characters, the limit for a DNS name`,
    );
  }
  const labels = name.split(".");
  labels.forEach((label, index) => {
    if (label === "*" && index === 0 && labels.length > 1) {
      if (!options.allowWildcard) {
        throw usageError(
          "wildcard-san",
          `SAN "${input}" is a wildcard: add --allow-wildcard if you really want one certificate for every name under it`,
        );
      }
      return;
    }
    if (label.length === 0)
      throw usageError("bad-san", `SAN "${input}" is not a DNS name: it has an empty label ("..")`);
    if (label.length > MAX_DNS_LABEL_LENGTH) {
      throw usageError(
        "bad-san",
        `SAN "${input}" is not a DNS name: the label "${label}" is longer than ${MAX_DNS_LABEL_LENGTH} characters`,
      );
    }
    if (!DNS_LABEL_PATTERN.test(label)) {
      throw usageError(
        "bad-san",
        `SAN "${input}" is not a DNS name: the label "${label}" may hold only letters, digits and inner hyphens`,
      );
    }
  });
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? "")) {
    throw usageError("bad-san", `SAN "${input}" is neither a DNS name (its last label is numeric) nor an IP address`);
  }
  return name;
}

/** `DNS:host` / `IP:addr`, as OpenSSL prints SANs. */
export function formatSubjectAltName(san: SubjectAltName): string {
  return `${san.type === "dns" ? "DNS" : "IP"}:${san.value}`;
}
