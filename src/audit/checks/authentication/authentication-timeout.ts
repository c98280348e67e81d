import { type AuditCheck } from "../../audit-check.js";
import { settingCheck } from "../setting-check.js";

/** The longest authentication_timeout the CIS benchmark (and pgdsat) accepts. */
export const MAX_AUTHENTICATION_TIMEOUT_SECONDS = 60;

/** `authentication_timeout` above a minute: half-open logins hold connection slots that long. */
export const authenticationTimeout: AuditCheck = settingCheck({
  id: "authentication/authentication-timeout",
  title: "Logins may take too long",
  layer: "authentication",
  severity: "low",
  soc2: ["CC6.1"],
  cis: "5.7",
  why: `A client that starts a login and never finishes it holds a connection slot for authentication_timeout; above ${MAX_AUTHENTICATION_TIMEOUT_SECONDS} s a few such clients exhaust max_connections (a denial of service) and each slow guess costs the attacker nothing.`,
  fix: `ALTER SYSTEM SET authentication_timeout = '${MAX_AUTHENTICATION_TIMEOUT_SECONDS}s'; SELECT pg_reload_conf();`,
  setting: "authentication_timeout",
  // pg_settings gives it in seconds (its unit is s).
  isWeak: (value) => Number.isFinite(Number(value)) && Number(value) > MAX_AUTHENTICATION_TIMEOUT_SECONDS,
  message: (value) =>
    `authentication_timeout is ${Number(value)} s (more than ${MAX_AUTHENTICATION_TIMEOUT_SECONDS} s)`,
});
