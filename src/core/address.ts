import { isIPv4, isIPv6 } from "node:net";

/** An IPv4 or IPv6 network: the address as a number, masked to its prefix. */
export interface Network {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;

const OCTET_WEIGHTS = [2 ** 24, 2 ** 16, 2 ** 8, 1];

/** Dotted quad to a number first, one BigInt at the end: BigInt arithmetic per octet is what costs. */
function ipv4ToBigInt(address: string): bigint {
  return BigInt(
    address.split(".").reduce((value, part, index) => value + Number(part) * (OCTET_WEIGHTS[index] ?? 0), 0),
  );
}

function ipv6ToBigInt(address: string): bigint {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const n = ipv4ToBigInt(v4);
    text = `${text.slice(0, -v4.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array.from({ length: missing }, () => "0"), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function maskOf(width: number, prefix: number): bigint {
  return prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(width - prefix);
}

/** Every prefix's netmask, made once: containment tests run for every rule. */
const MASKS = {
  4: Array.from({ length: WIDTH[4] + 1 }, (_, prefix) => maskOf(WIDTH[4], prefix)),
  6: Array.from({ length: WIDTH[6] + 1 }, (_, prefix) => maskOf(WIDTH[6], prefix)),
};

/** The netmask of a prefix length (0 to 32 for IPv4, 0 to 128 for IPv6). */
export function mask(family: 4 | 6, prefix: number): bigint {
  return MASKS[family][prefix] ?? maskOf(WIDTH[family], prefix);
}

/** An IP address (no prefix) as a host network (/32 or /128); undefined when it is not an IP address. */
export function parseAddress(address: string): Network | undefined {
  const plain = address.replace(/%.*$/, "");
  if (isIPv4(plain)) return { family: 4, base: ipv4ToBigInt(plain), prefix: 32 };
  if (isIPv6(plain)) return { family: 6, base: ipv6ToBigInt(plain), prefix: 128 };
  return undefined;
}

/**
 * A CIDR (`10.0.0.0/8`, `::1/128`) or a bare address; undefined when it is neither.
 * Host bits set below the prefix are cleared, as PostgreSQL does when matching.
 */
export function parseNetwork(text: string): Network | undefined {
  const [address = "", prefixText, ...rest] = text.split("/");
  if (rest.length > 0) return undefined;
  const host = parseAddress(address);
  if (!host) return undefined;
  if (prefixText === undefined) return host;
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > WIDTH[host.family]) return undefined;
  return { family: host.family, base: host.base & mask(host.family, prefix), prefix };
}

/** A dotted netmask (`255.255.0.0`, or an IPv6 mask) as a prefix length; undefined when not contiguous. */
export function maskToPrefix(maskText: string): number | undefined {
  const parsed = parseAddress(maskText);
  if (!parsed) return undefined;
  const width = WIDTH[parsed.family];
  for (let prefix = 0; prefix <= width; prefix++) if (mask(parsed.family, prefix) === parsed.base) return prefix;
  return undefined;
}

/** Does network `outer` contain every address of `inner`? (Different families never contain each other.) */
export function networkContains(outer: Network, inner: Network): boolean {
  return (
    outer.family === inner.family &&
    outer.prefix <= inner.prefix &&
    (inner.base & mask(outer.family, outer.prefix)) === outer.base
  );
}

/** How many addresses a network spans, as a prefix length's complement (32 - prefix for IPv4). */
export function hostBits(network: Network): number {
  return WIDTH[network.family] - network.prefix;
}

export function formatNetwork(network: Network): string {
  if (network.family === 4) {
    const parts = [24n, 16n, 8n, 0n].map((shift) => ((network.base >> shift) & 0xffn).toString());
    return `${parts.join(".")}/${network.prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, index) =>
    ((network.base >> BigInt(112 - 16 * index)) & 0xffffn).toString(16),
  );
  // Longest run of zero groups becomes "::".
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === "0") length++;
    if (length > best.length && length > 1) best = { start, length };
  }
  const text =
    best.start < 0
      ? groups.join(":")
      : `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.length).join(":")}`;
  return `${text}/${network.prefix}`;
}

/** A network with any netmask, contiguous or not (pg_hba.conf's `address mask` form): base is already masked. */
export interface MaskedNetwork {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly mask: bigint;
}

/** `10.0.0.1 255.0.255.0`: an address and a netmask of the same family; undefined otherwise. */
export function parseMaskedNetwork(text: string): MaskedNetwork | undefined {
  const [addressText = "", maskText, ...rest] = text.split(" ");
  if (maskText === undefined || rest.length > 0) return undefined;
  const address = parseAddress(addressText);
  const netmask = parseAddress(maskText);
  if (!address || !netmask || address.family !== netmask.family) return undefined;
  return { family: address.family, base: address.base & netmask.base, mask: netmask.base };
}

/** hba.c check_ip (pg_range_sockaddr): the client's address, masked, equals the rule's address, masked. */
export function maskedNetworkContains(network: MaskedNetwork, client: Network): boolean {
  return network.family === client.family && (client.base & network.mask) === network.base;
}
