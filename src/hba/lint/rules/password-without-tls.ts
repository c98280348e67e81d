import type { RuleCheck } from "../lint-rule.js";
import { fromNetwork, isPrivateOnly, PASSWORD_METHODS } from "../scope.js";

/**
 * High from the internet, or with md5/password (whose exchange an eavesdropper can crack or replay
 * offline far more cheaply); medium for scram-sha-256 from private address space only: SCRAM never
 * sends the password, and only hosts inside the site can see or tamper with the sessions, which are
 * still in clear (Pigsty's default intranet rules are this case).
 */
export const passwordWithoutTls: RuleCheck = {
  id: "password-without-tls",
  severity: "high",
  title: "password authentication from the network without TLS",
  why: "a host or hostnossl rule accepts unencrypted sessions: the queries and results cross the network in clear, and md5/password exchanges can be replayed or read.",
  check: (rule) => {
    if (!(
      (rule.type === "host" || rule.type === "hostnossl") &&
      PASSWORD_METHODS.has(rule.method) &&
      fromNetwork(rule)
    ))
      return undefined;
    const intranetScram = rule.method === "scram-sha-256" && isPrivateOnly(rule);
    return {
      message: `${rule.method} from ${rule.address} without requiring TLS${intranetScram ? " (private address space only)" : ""}`,
      fix: "make it hostssl (and turn ssl on), so only TLS sessions match",
      ...(intranetScram ? { severity: "medium" as const } : {}),
    };
  },
};
