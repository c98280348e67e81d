import { isIPv4, isIPv6 } from "node:net";

import { usageError } from "../../core/errors.js";
import { ipAddressOctets } from "../encoding/certificate-der.js";
import type { ExtensionSpec } from "../encoding/certificate-extensions.js";
import { derImplicit, derSequence, derTlv } from "../encoding/der.js";
import { parseSubjectAltName } from "../names/subject-alt-name.js";

/*
 * The nameConstraints extension of an intermediate (`ca intermediate create --permit-dns/--permit-ip`):
 * permitted DNS and IP subtrees, critical (RFC 5280 4.2.1.10), so every verifier refuses a leaf
 * it signs for a name outside them. Encoded here as DER because GeneralName's iPAddress of the
 * ASN.1 library takes an address, not the address-and-mask a subtree needs.
 */

const OID_NAME_CONSTRAINTS = "2.5.29.30";
const GENERAL_NAME_DNS = 2;
const GENERAL_NAME_IP = 7;
const TAG_PERMITTED_SUBTREES = 0xa0;

/** Permitted subtrees, checked: DNS names (`example.com`, or `.example.com` for its subdomains only) and CIDR blocks. */
export interface PermittedNames {
  readonly dns: readonly string[];
  /** `address/prefix`, the address with its host bits cleared. */
  readonly ip: readonly string[];
}

/** Checks a `--permit-dns` value: a DNS name, optionally with a leading "." (subdomains only). */
export function parsePermittedDns(value: string): string {
  const subdomainsOnly = value.startsWith(".");
  const name = subdomainsOnly ? value.slice(1) : value;
  const parsed = name.length === 0 ? undefined : parseSubjectAltName(`DNS:${name}`);
  if (parsed?.type !== "dns")
    throw usageError(
      "bad-permit-dns",
      `--permit-dns ${JSON.stringify(value)} is not a DNS name: e.g. example.com or .example.com`,
    );
  return `${subdomainsOnly ? "." : ""}${parsed.value}`;
}

/** Checks a `--permit-ip` value: an IPv4 or IPv6 CIDR block such as 10.0.0.0/8 or fd00::/8 (host bits cleared). */
export function parsePermittedIp(value: string): { readonly text: string; readonly octets: Buffer } {
  const match = /^([^/]+)\/([0-9]{1,3})$/.exec(value);
  const address = match?.[1] ?? "";
  const bits = isIPv4(address) ? 32 : isIPv6(address) ? 128 : 0;
  const prefix = Number(match?.[2]);
  if (bits === 0 || !(prefix >= 0 && prefix <= bits))
    throw usageError(
      "bad-permit-ip",
      `--permit-ip ${JSON.stringify(value)} is not a CIDR block: e.g. 10.0.0.0/8 or fd00::/8`,
    );
  const octets = ipAddressOctets(address);
  const mask = Buffer.alloc(octets.length);
  for (let bit = 0; bit < prefix; bit++) mask[bit >> 3] = (mask[bit >> 3] as number) | (0x80 >> (bit & 7));
  const network = Buffer.from(octets.map((byte, index) => byte & (mask[index] as number)));
  const text =
    bits === 32
      ? [...network].join(".")
      : new URL(`http://[${(network.toString("hex").match(/..../g) ?? []).join(":")}]/`).hostname.slice(1, -1);
  return { text: `${text}/${prefix}`, octets: Buffer.concat([network, mask]) };
}

/** The checked subtrees of `--permit-dns` and `--permit-ip` values; none at all when both lists are empty. */
export function parsePermittedNames(dns: readonly string[], ip: readonly string[]): PermittedNames {
  return { dns: dns.map(parsePermittedDns), ip: ip.map((value) => parsePermittedIp(value).text) };
}

/** The critical nameConstraints extension with these permitted subtrees, or undefined when there are none. */
export function nameConstraintsExtension(names: PermittedNames): ExtensionSpec | undefined {
  if (names.dns.length === 0 && names.ip.length === 0) return undefined;
  const subtrees = [
    ...names.dns.map((name) => derSequence(derImplicit(GENERAL_NAME_DNS, Buffer.from(name, "ascii")))),
    ...names.ip.map((block) => derSequence(derImplicit(GENERAL_NAME_IP, parsePermittedIp(block).octets))),
  ];
  return {
    oid: OID_NAME_CONSTRAINTS,
    critical: true,
    value: derSequence(derTlv(TAG_PERMITTED_SUBTREES, Buffer.concat(subtrees))),
  };
}
