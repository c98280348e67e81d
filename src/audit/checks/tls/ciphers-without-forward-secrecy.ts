import { type AuditCheck } from "../../audit-check.js";
import { servedCertificateFact } from "../../facts/served-certificate.js";
import { settingsFact } from "../../facts/settings.js";
import { tlsCipherSuitesFact } from "../../facts/tls-cipher-suites.js";
import { forwardSecret, weakness } from "./cipher-classes.js";
import { negotiableSuites, STRONG_CIPHERS } from "./weak-ciphers.js";

/** ssl_ciphers lets the server pick suites with static RSA key exchange (pgdsat 6.10: forward secrecy only). */
export const ciphersWithoutForwardSecrecy: AuditCheck = {
  id: "tls/ciphers-without-forward-secrecy",
  title: "ssl_ciphers allows suites without forward secrecy",
  layer: "network",
  severity: "medium",
  soc2: ["CC6.7"],
  cis: "6.10",
  scope: "server",
  why: "With RSA key exchange the session keys travel encrypted under the server's key: whoever records the traffic and later obtains that key (a backup, a stolen disk) decrypts every recorded session.",
  fix: `ALTER SYSTEM SET ssl_ciphers = '${STRONG_CIPHERS}'; SELECT pg_reload_conf();`,
  // Static RSA key exchange needs an RSA key: without the served certificate (a Unix-socket audit) it cannot be decided.
  facts: [settingsFact, tlsCipherSuitesFact, servedCertificateFact],
  run(context) {
    context.fact(servedCertificateFact);
    const negotiable = negotiableSuites(context);
    if (!negotiable) return [];
    // Broken suites are tls/weak-ciphers' findings; these are otherwise sound.
    const static_ = negotiable.suites.filter((suite) => !forwardSecret(suite) && weakness(suite) === undefined);
    if (static_.length === 0) return [];
    return [
      {
        subject: "ssl_ciphers",
        message: `ssl_ciphers lets the server pick ${static_.length} suite${static_.length === 1 ? "" : "s"} without forward secrecy: ${static_
          .slice(0, 5)
          .map((suite) => suite.name)
          .join(", ")}${static_.length > 5 ? ", ..." : ""}`,
        evidence: [
          ...negotiable.evidence,
          ...static_.map((suite) => ({
            label: `suite ${suite.name}`,
            value: `Kx=${suite.keyExchange}: no forward secrecy`,
          })),
        ],
      },
    ];
  },
};
