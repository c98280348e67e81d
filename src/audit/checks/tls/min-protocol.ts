import { type AuditCheck } from "../../audit-check.js";
import { servedLegacyProtocolFact } from "../../facts/served-legacy-protocol.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** The protocol versions ssl_min/max_protocol_version accept, oldest first. */
const VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
const MINIMUM_SAFE = VERSIONS.indexOf("TLSv1.2");

/**
 * ssl_min_protocol_version below TLSv1.2 (or TLS 1.2 and 1.3 refused by ssl_max_protocol_version).
 * Medium when a real handshake at TLS 1.0/1.1 succeeds (or could not be tried); low when the
 * server's OpenSSL refuses those versions anyway (its security level), which lasts only as long
 * as that configuration does.
 */
export const minProtocol: AuditCheck = {
  id: "tls/min-protocol",
  title: "TLS versions below 1.2 are accepted",
  layer: "network",
  severity: "medium",
  soc2: ["CC6.7"],
  cis: "6.8",
  scope: "server",
  why: "TLS 1.0 and 1.1 rest on MD5 and SHA-1 in the handshake and CBC constructions with known attacks (BEAST, Lucky13); RFC 8996 deprecates them. Whatever OpenSSL's own floor is today, the server's setting is what holds when it changes.",
  fix: "ALTER SYSTEM SET ssl_min_protocol_version = 'TLSv1.2'; SELECT pg_reload_conf();",
  facts: [settingsFact],
  optionalFacts: [servedLegacyProtocolFact],
  run(context) {
    const settings = context.fact(settingsFact);
    if (settingValue(settings, "ssl") !== "on") return [];
    const findings = [];
    const minimum = settingValue(settings, "ssl_min_protocol_version") ?? "";
    const minIndex = VERSIONS.indexOf(minimum as (typeof VERSIONS)[number]);
    // An empty minimum (allowed before PostgreSQL 13's default) leaves OpenSSL's own floor: TLS 1.0.
    if (minIndex < MINIMUM_SAFE) {
      const legacy = context.optional(servedLegacyProtocolFact);
      const shown = minimum === "" ? "unset" : minimum;
      findings.push({
        subject: "ssl_min_protocol_version",
        message: legacy?.accepted
          ? `ssl_min_protocol_version is ${shown} and the server completed a ${legacy.protocol ?? "TLS 1.0/1.1"} handshake`
          : legacy
            ? `ssl_min_protocol_version is ${shown}; the server's OpenSSL refuses TLS below 1.2 today, but only by its own configuration`
            : `ssl_min_protocol_version is ${shown}: clients may negotiate TLS older than 1.2`,
        evidence: [
          settingEvidence(settings, "ssl_min_protocol_version"),
          {
            label: "handshake offering only TLS 1.0/1.1",
            value: legacy
              ? legacy.accepted
                ? `accepted (${legacy.protocol ?? "?"})`
                : `refused: ${legacy.refusal ?? "?"}`
              : "not tried",
          },
        ],
        ...(legacy && !legacy.accepted ? { severity: "low" as const } : {}),
      });
    }
    const maximum = settingValue(settings, "ssl_max_protocol_version") ?? "";
    const maxIndex = VERSIONS.indexOf(maximum as (typeof VERSIONS)[number]);
    if (maximum !== "" && maxIndex >= 0 && maxIndex < MINIMUM_SAFE)
      findings.push({
        subject: "ssl_max_protocol_version",
        message: `ssl_max_protocol_version is ${maximum}: no session can use TLS 1.2 or 1.3`,
        evidence: [settingEvidence(settings, "ssl_max_protocol_version")],
        fix: "ALTER SYSTEM RESET ssl_max_protocol_version; SELECT pg_reload_conf();",
      });
    return findings;
  },
};
