import { hostBits, mask, type Network, networkContains, parseNetwork } from "../../core/address.js";
import { type HbaToken } from "../../core/auth-file-tokens.js";
import type { HbaRule } from "../model.js";
import { isKeyword, LOOPBACK_NETWORKS, ruleCidr, ruleMaskedNetwork } from "../rule-address.js";

const EVERYWHERE: readonly Network[] = [parseNetwork("0.0.0.0/0") as Network, parseNetwork("::/0") as Network];

/** The networks a host* rule's address means, or undefined for names, samehost and samenet. */
export function ruleNetwork(rule: HbaRule): readonly Network[] | undefined {
  if (rule.type === "local" || rule.address === undefined) return undefined;
  if (rule.address === "all") return EVERYWHERE;
  const network = ruleCidr(rule);
  return network ? [network] : undefined;
}

/** True for the unix socket and for addresses inside 127.0.0.0/8 or ::1 (and samehost). */
export function isLoopbackOnly(rule: HbaRule): boolean {
  if (rule.type === "local") return true;
  if (rule.address === "samehost") return true;
  const masked = ruleMaskedNetwork(rule);
  // A mask that keeps every bit of a loopback prefix keeps every client it matches inside that prefix.
  if (masked) {
    return LOOPBACK_NETWORKS.some((loop) => {
      const prefixMask = mask(loop.family, loop.prefix);
      return (
        loop.family === masked.family &&
        (masked.mask & prefixMask) === prefixMask &&
        (masked.base & prefixMask) === loop.base
      );
    });
  }
  const networks = ruleNetwork(rule);
  return (
    networks !== undefined &&
    networks.every((network) => LOOPBACK_NETWORKS.some((loop) => networkContains(loop, network)))
  );
}

/**
 * Private address space: RFC 1918, shared address space (RFC 6598), IPv6 unique local (RFC 4193)
 * and link-local. Nothing there is routed from the internet, so only hosts inside the site can connect.
 */
export const PRIVATE_NETWORKS: readonly Network[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "169.254.0.0/16",
  "fc00::/7",
  "fe80::/10",
].map((cidr) => parseNetwork(cidr) as Network);

/**
 * True when every client a host* rule matches is on this host or in private address space
 * (samenet: the server's own subnets). Host names and masks that are not prefixes are not
 * known to be private.
 */
export function isPrivateOnly(rule: HbaRule): boolean {
  if (isLoopbackOnly(rule) || rule.address === "samenet") return true;
  const networks = ruleNetwork(rule);
  return (
    networks !== undefined &&
    networks.every((network) =>
      [...PRIVATE_NETWORKS, ...LOOPBACK_NETWORKS].some((known) => networkContains(known, network)),
    )
  );
}

/** From the network: a TCP rule whose addresses reach beyond this host. */
export function fromNetwork(rule: HbaRule): boolean {
  return rule.type !== "local" && !isLoopbackOnly(rule);
}

/** The widest host-bit count of a rule's networks (32 for an IPv4 /0), undefined for names. */
export function widestHostBits(rule: HbaRule): { bits: number; family: 4 | 6 } | undefined {
  const networks = ruleNetwork(rule);
  if (!networks) return undefined;
  return networks
    .map((network) => ({ bits: hostBits(network), family: network.family }))
    .sort((a, b) => b.bits - a.bits)[0];
}

export const hasAll = (tokens: readonly HbaToken[]) => tokens.some((token) => isKeyword(token, "all"));

export const PASSWORD_METHODS = new Set(["scram-sha-256", "md5", "password"]);
export const REFUSING_METHODS = new Set(["reject"]);
