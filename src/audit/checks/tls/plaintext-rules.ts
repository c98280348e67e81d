import { fromNetwork } from "../../../hba/lint/scope.js";
import { type HbaRule } from "../../../hba/model.js";

/** Methods that admit no one without TLS: reject refuses, cert needs a client certificate (so a TLS session). */
const NO_PLAINTEXT_LOGIN: ReadonlySet<string> = new Set(["reject", "cert"]);

/** Connection types that match a TCP session without TLS: hostnogssenc matches every session not GSS-encrypted. */
const PLAINTEXT_TYPES: ReadonlySet<string> = new Set(["host", "hostnossl", "hostnogssenc"]);

/**
 * The rules that let a client from beyond this host log in over a session without TLS:
 * `host`, `hostnossl` or `hostnogssenc`, an address outside loopback, a method that can succeed without TLS.
 */
export function plaintextNetworkRules(rules: readonly HbaRule[]): HbaRule[] {
  return rules.filter(
    (rule) => PLAINTEXT_TYPES.has(rule.type) && fromNetwork(rule) && !NO_PLAINTEXT_LOGIN.has(rule.method),
  );
}

/** listen_addresses = '' means no TCP at all: no rule for TCP can match. */
export function listensOnTcp(listenAddresses: string | undefined): boolean {
  return listenAddresses === undefined || listenAddresses.trim() !== "";
}

/** The evidence line of one rule: its text at its file:line. */
export function ruleEvidence(rule: HbaRule): { label: string; value: string; source: HbaRule["source"] } {
  return { label: "rule", value: rule.text, source: rule.source };
}
