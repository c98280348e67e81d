import { isIPv4, isIPv6 } from "node:net";

import { maskToPrefix } from "../../core/address.js";
import type { Field } from "../../core/auth-file-tokens.js";
import { type HbaToken } from "../../core/auth-file-tokens.js";

/**
 * What the address column of a host* record says, read as hba.c parse_hba_line does.
 * `fieldsUsed` is 2 when a separate netmask field followed the address.
 */
export type AddressResult = { readonly address: string; readonly fieldsUsed: 1 | 2 } | { readonly error: string };

const ADDRESS_KEYWORDS = new Set(["all", "samehost", "samenet"]);

/**
 * Reads the address field and, for a bare IP address, the netmask field after it.
 * Keywords (unquoted `all`, `samehost`, `samenet`) stay as they are; a CIDR stays as
 * written; an address with a separate mask becomes CIDR; anything that is not an IP
 * address is a host name (PostgreSQL decides the same way: numeric parsing failed).
 */
export function readAddress(addressField: Field, maskField: Field | undefined): AddressResult {
  if (addressField.length > 1) return { error: "multiple values specified for host address" };
  const token = addressField[0] as HbaToken;
  // PostgreSQL reads a quoted "all" as a host name. The model keeps no quote flag for addresses,
  // so it stays "all" and reads as the keyword: wider than the server, never narrower.
  if (!token.quoted && ADDRESS_KEYWORDS.has(token.value)) return { address: token.value, fieldsUsed: 1 };

  const slash = token.value.indexOf("/");
  const hostPart = slash < 0 ? token.value : token.value.slice(0, slash);
  const host = numericAddress(hostPart);
  if (host === undefined) {
    if (slash >= 0) return { error: `specifying both host name and CIDR mask is invalid: "${token.value}"` };
    return { address: token.value, fieldsUsed: 1 };
  }
  if (slash >= 0) {
    const prefix = token.value.slice(slash + 1);
    if (!PREFIX_PATTERN.test(prefix) || Number(prefix) > WIDTH[ipFamily(host) as 4 | 6])
      return { error: `invalid CIDR mask in address "${token.value}"` };
    return { address: host === hostPart ? token.value : `${host}/${prefix}`, fieldsUsed: 1 };
  }

  if (!maskField) return { error: "end-of-line before netmask specification" };
  if (maskField.length > 1) return { error: "multiple values specified for netmask" };
  const maskText = (maskField[0] as HbaToken).value;
  const mask = numericAddress(maskText);
  if (mask === undefined) return { error: `invalid IP mask "${maskText}": Name or service not known` };
  if (ipFamily(mask) !== ipFamily(host)) return { error: "IP address and mask do not match" };
  const prefix = prefixOfMask(mask);
  // PostgreSQL takes any mask as given (255.0.255.0 too) and matches bit by bit; no CIDR can
  // say that, so such an address stays in its written form, address and mask.
  if (prefix === undefined) return { address: `${host} ${mask}`, fieldsUsed: 2 };
  return { address: `${host}/${prefix}`, fieldsUsed: 2 };
}

/**
 * The address as an IP address string, or undefined when it is not numeric. Besides the
 * usual forms, PostgreSQL (through getaddrinfo) also takes the old inet_aton shorthands
 * (`10.1` is 10.0.0.1, `0x7f.1` is 127.0.0.1): those come back as a dotted quad, so the
 * rule's address means what the server matches.
 */
export function numericAddress(text: string): string | undefined {
  return ipFamily(text) === undefined ? inetAton(text) : text;
}

const WIDTH = { 4: 32, 6: 128 } as const;
const PREFIX_PATTERN = /^\d{1,3}$/;

/** 4 or 6 for an IP address (an IPv6 zone such as `%eth0` allowed), else undefined. */
function ipFamily(text: string): 4 | 6 | undefined {
  // Only text with a colon can be IPv6: host names skip Node's large IPv6 pattern.
  if (!text.includes(":")) return isIPv4(text) ? 4 : undefined;
  const zone = text.indexOf("%");
  return isIPv6(zone < 0 ? text : text.slice(0, zone)) ? 6 : undefined;
}

/** Files repeat a handful of masks thousands of times: each is worked out once. */
const maskPrefixes = new Map<string, number | undefined>();

function prefixOfMask(mask: string): number | undefined {
  if (!maskPrefixes.has(mask)) maskPrefixes.set(mask, maskToPrefix(mask));
  return maskPrefixes.get(mask);
}

const INET_ATON_PART = /^(?:0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$/;

function inetAton(text: string): string | undefined {
  const parts = text.split(".");
  if (parts.length > 4 || !parts.every((part) => INET_ATON_PART.test(part))) return undefined;
  const numbers = parts.map((part) =>
    /^0[xX]/.test(part)
      ? parseInt(part.slice(2) || "0", 16)
      : part.length > 1 && part.startsWith("0")
        ? parseInt(part, 8)
        : Number(part),
  );
  const last = numbers.pop() as number;
  if (numbers.some((number) => number > 0xff)) return undefined;
  const lastBytes = 4 - numbers.length;
  if (last >= 2 ** (8 * lastBytes)) return undefined;
  const bytes = [...numbers];
  for (let shift = 8 * (lastBytes - 1); shift >= 0; shift -= 8) bytes.push(Math.floor(last / 2 ** shift) % 256);
  const dotted = bytes.join(".");
  return isIPv4(dotted) ? dotted : undefined;
}
