import type { HbaRule } from "../hba/model.js";
import type { ServedCheck } from "../pg/tls-deploy.js";
import type { TlsProbe } from "../pg/tls-probe.js";

/*
 * The public JSON form of values several commands print, so that each appears the same way
 * everywhere (schemas/*.schema.json): no DER buffers, no parser objects.
 */

/** A TLS handshake's result, without the served certificates' DER (its fingerprint and subject say which it is). */
export function probeJson(probe: TlsProbe | undefined): Omit<TlsProbe, "certificateDer" | "chainDer"> | null {
  if (probe === undefined) return null;
  const { certificateDer: _der, chainDer: _chain, ...rest } = probe;
  return rest;
}

/** Whether the server serves the installed certificate, as `pg tls` and `sandbox up` check it. */
export function servedJson(served: ServedCheck) {
  return { running: served.running, matches: served.matches ?? null, probe: probeJson(served.probe) };
}

/** A pg_hba rule by where it is and what it says (never the parser's tokens). */
export function hbaRuleJson(rule: HbaRule) {
  return {
    file: rule.source.file,
    line: rule.source.line,
    text: rule.text.trim(),
    method: rule.method,
    options: rule.options,
  };
}
