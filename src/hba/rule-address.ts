import { type MaskedNetwork, type Network, parseMaskedNetwork, parseNetwork } from "../core/address.js";
import { type HbaToken } from "../core/auth-file-tokens.js";
import type { HbaRule } from "./model.js";

/** 127.0.0.0/8 and ::1: the loopback networks. */
export const LOOPBACK_NETWORKS: readonly Network[] = [
  parseNetwork("127.0.0.0/8") as Network,
  parseNetwork("::1/128") as Network,
];

/** An unquoted token that is this keyword (a quoted "all" is a role or database named all). */
export const isKeyword = (token: HbaToken, keyword: string) => !token.quoted && token.value === keyword;

/** Each rule's CIDR, parsed once: matching and every lint check ask, and rules are immutable. */
const cidrOfRule = new WeakMap<HbaRule, Network | null>();

/**
 * The network a host* rule's address is written as (an address with its mask or prefix),
 * or undefined for local lines, the keywords all, samehost and samenet, and host names.
 */
export function ruleCidr(rule: HbaRule): Network | undefined {
  let network = cidrOfRule.get(rule);
  if (network === undefined) {
    network = (rule.type !== "local" && rule.address !== undefined && parseNetwork(rule.address)) || null;
    cidrOfRule.set(rule, network);
  }
  return network ?? undefined;
}

/** A host* rule's address with a mask that is not contiguous (`127.0.0.1 255.0.255.0`); undefined for every other address. */
export function ruleMaskedNetwork(rule: HbaRule): MaskedNetwork | undefined {
  return rule.type !== "local" && rule.address !== undefined && rule.address.includes(" ")
    ? parseMaskedNetwork(rule.address)
    : undefined;
}
