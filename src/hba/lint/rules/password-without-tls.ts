import type { RuleCheck } from "../lint-rule.js";
import { PASSWORD_METHODS, fromNetwork } from "../scope.js";

export const passwordWithoutTls: RuleCheck = {
  id: "password-without-tls",
  severity: "high",
  title: "password authentication from the network without TLS",
  why: "a host or hostnossl rule accepts unencrypted sessions: the queries and results cross the network in clear, and md5/password exchanges can be replayed or read.",
  check: (rule) =>
    (rule.type === "host" || rule.type === "hostnossl") && PASSWORD_METHODS.has(rule.method) && fromNetwork(rule)
      ? { message: `${rule.method} from ${rule.address} without requiring TLS`, fix: "make it hostssl (and turn ssl on), so only TLS sessions match" }
      : undefined,
};
