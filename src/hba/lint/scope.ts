import { hostBits, networkContains, parseNetwork, type Network } from "../address.js";
import type { HbaRule, HbaToken } from "../model.js";

const LOOPBACK = [parseNetwork("127.0.0.0/8"), parseNetwork("::1/128")] as Network[];

const EVERYWHERE = [parseNetwork("0.0.0.0/0"), parseNetwork("::/0")] as Network[];

/** Each rule's networks, parsed once: every check asks, and rules are immutable. */
const networksOfRule = new WeakMap<HbaRule, readonly Network[] | null>();

/** The network a host* rule's address means, or undefined for names, samehost and samenet. */
export function ruleNetwork(rule: HbaRule): readonly Network[] | undefined {
  let networks = networksOfRule.get(rule);
  if (networks === undefined) {
    networks = parseRuleNetwork(rule) ?? null;
    networksOfRule.set(rule, networks);
  }
  return networks ?? undefined;
}

function parseRuleNetwork(rule: HbaRule): readonly Network[] | undefined {
  if (rule.type === "local" || rule.address === undefined) return undefined;
  if (rule.address === "all") return EVERYWHERE;
  const network = parseNetwork(rule.address);
  return network ? [network] : undefined;
}

/** True for the unix socket and for addresses inside 127.0.0.0/8 or ::1 (and samehost). */
export function isLoopbackOnly(rule: HbaRule): boolean {
  if (rule.type === "local") return true;
  if (rule.address === "samehost") return true;
  const networks = ruleNetwork(rule);
  return networks !== undefined && networks.every((network) => LOOPBACK.some((loop) => networkContains(loop, network)));
}

/** From the network: a TCP rule whose addresses reach beyond this host. */
export function fromNetwork(rule: HbaRule): boolean {
  return rule.type !== "local" && !isLoopbackOnly(rule);
}

/** The widest host-bit count of a rule's networks (32 for an IPv4 /0), undefined for names. */
export function widestHostBits(rule: HbaRule): { bits: number; family: 4 | 6 } | undefined {
  const networks = ruleNetwork(rule);
  if (!networks) return undefined;
  return networks.map((network) => ({ bits: hostBits(network), family: network.family })).sort((a, b) => b.bits - a.bits)[0];
}

export const isKeyword = (token: HbaToken, keyword: string) => !token.quoted && token.value === keyword;
export const hasAll = (tokens: readonly HbaToken[]) => tokens.some((token) => isKeyword(token, "all"));

export const PASSWORD_METHODS = new Set(["scram-sha-256", "md5", "password"]);
export const REFUSING_METHODS = new Set(["reject"]);
