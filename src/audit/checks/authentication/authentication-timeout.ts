import { type AuditCheck } from "../../audit-check.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** The longest authentication_timeout the CIS benchmark (and pgdsat) accepts. */
export const MAX_AUTHENTICATION_TIMEOUT_SECONDS = 60;

/** `authentication_timeout` above a minute: half-open logins hold connection slots that long. */
export const authenticationTimeout: AuditCheck = {
  id: "authentication/authentication-timeout",
  title: "Logins may take too long",
  layer: "authentication",
  severity: "low",
  soc2: ["CC6.1"],
  cis: "5.7",
  scope: "server",
  why: `A client that starts a login and never finishes it holds a connection slot for authentication_timeout; above ${MAX_AUTHENTICATION_TIMEOUT_SECONDS} s a few such clients exhaust max_connections (a denial of service) and each slow guess costs the attacker nothing.`,
  fix: `ALTER SYSTEM SET authentication_timeout = '${MAX_AUTHENTICATION_TIMEOUT_SECONDS}s'; SELECT pg_reload_conf();`,
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    // pg_settings gives it in seconds (its unit is s).
    const seconds = Number(settingValue(settings, "authentication_timeout"));
    if (!Number.isFinite(seconds) || seconds <= MAX_AUTHENTICATION_TIMEOUT_SECONDS) return [];
    return [
      {
        subject: "authentication_timeout",
        message: `authentication_timeout is ${seconds} s (more than ${MAX_AUTHENTICATION_TIMEOUT_SECONDS} s)`,
        evidence: [settingEvidence(settings, "authentication_timeout")],
      },
    ];
  },
};
