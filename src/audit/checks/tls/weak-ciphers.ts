import { type AuditCheck, type CheckContext } from "../../audit-check.js";
import { type Evidence } from "../../audit-finding.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";
import { type CipherSuite, tlsCipherSuitesFact } from "../../facts/tls-cipher-suites.js";
import { certificateKeyKind, usableBy, weakness } from "./cipher-classes.js";

/** The suites for TLS 1.2 and below the server can pick, or undefined when ssl is off or only TLS 1.3 is allowed. */
export function negotiableSuites(context: CheckContext): { suites: CipherSuite[]; evidence: Evidence[] } | undefined {
  const settings = context.fact(settingsFact);
  if (settingValue(settings, "ssl") !== "on") return undefined;
  // ssl_ciphers governs TLS 1.2 and below; TLS 1.3's suites are all strong and forward secret.
  if (settingValue(settings, "ssl_min_protocol_version") === "TLSv1.3") return undefined;
  const expanded = context.fact(tlsCipherSuitesFact);
  const served = context.optional(servedCertificateFact);
  const keyKind = served ? certificateKeyKind(served.leaf) : undefined;
  return {
    suites: expanded.suites.filter((suite) => usableBy(suite, keyKind)),
    evidence: [
      settingEvidence(settings, "ssl_ciphers"),
      settingEvidence(settings, "ssl_min_protocol_version"),
      {
        label: "expanded by",
        value: `openssl ciphers -s -v (${expanded.openssl} on the auditing host, at its security level)${keyKind ? `, for the served ${keyKind.toUpperCase()} key` : ""}`,
      },
    ],
  };
}

/** A modern cipher list for TLS 1.2: ECDHE/DHE with AES-GCM or ChaCha20 only. */
export const STRONG_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!PSK";

/** ssl_ciphers lets the server pick a broken suite: no encryption, anonymous, export, RC4, DES, 3DES, MD5. */
export const weakCiphers: AuditCheck = {
  id: "tls/weak-ciphers",
  title: "ssl_ciphers allows weak cipher suites",
  layer: "network",
  severity: "high",
  soc2: ["CC6.7"],
  cis: "6.10",
  scope: "server",
  why: "A broken suite (no encryption, no server authentication, RC4, DES, 3DES, MD5) is picked when a client offers only it or an attacker forces it: the session can then be read or hijacked although it is TLS.",
  fix: `ALTER SYSTEM SET ssl_ciphers = '${STRONG_CIPHERS}'; SELECT pg_reload_conf();`,
  facts: [settingsFact, tlsCipherSuitesFact],
  optionalFacts: [servedCertificateFact],
  run(context) {
    const negotiable = negotiableSuites(context);
    if (!negotiable) return [];
    const weak = negotiable.suites
      .map((suite) => ({ suite, why: weakness(suite) }))
      .filter((entry): entry is { suite: CipherSuite; why: string } => entry.why !== undefined);
    if (weak.length === 0) return [];
    return [
      {
        subject: "ssl_ciphers",
        message: `ssl_ciphers lets the server pick ${weak.length} weak suite${weak.length === 1 ? "" : "s"}: ${weak
          .slice(0, 5)
          .map((entry) => entry.suite.name)
          .join(", ")}${weak.length > 5 ? ", ..." : ""}`,
        evidence: [
          ...negotiable.evidence,
          ...weak.map((entry) => ({ label: `suite ${entry.suite.name}`, value: entry.why })),
        ],
      },
    ];
  },
};
