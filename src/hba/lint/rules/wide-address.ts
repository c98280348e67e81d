import type { RuleCheck } from "../lint-rule.js";
import { REFUSING_METHODS, widestHostBits } from "../scope.js";

/** Wider than a /16 (IPv4) or a /48 (IPv6) is "very wide"; /0 is the world. */
const WIDE = { 4: 16, 6: 80 } as const;

export const wideAddress: RuleCheck = {
  id: "wide-address",
  severity: "high",
  title: "world-wide or very wide address",
  why: "the wider the address, the more machines can try to log in; a rule open to the world turns every password into an internet-facing secret.",
  check: (rule) => {
    if (REFUSING_METHODS.has(rule.method)) return undefined;
    const widest = widestHostBits(rule);
    if (!widest) return undefined;
    if (widest.bits === (widest.family === 4 ? 32 : 128))
      return {
        message: `${rule.address} is the whole ${widest.family === 4 ? "IPv4" : "IPv6"} internet`,
        fix: "name the networks that need access (the application subnet, the admin host)",
      };
    if (widest.bits > WIDE[widest.family]) {
      return {
        message: `${rule.address} spans ${widest.bits} host bits`,
        fix: `narrow it to the subnets that need access (at most a /${widest.family === 4 ? 16 : 48})`,
        severity: "medium",
      };
    }
    return undefined;
  },
};
