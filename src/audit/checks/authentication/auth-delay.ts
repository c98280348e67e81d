import { type AuditCheck } from "../../audit-check.js";
import { type Evidence } from "../../audit-finding.js";
import { preloadedLibraries, preloadFix } from "../../facts/auth-preload.js";
import { settingEvidence, settingsFact, settingValue } from "../../facts/settings.js";

/** The delay the fix proposes: long enough to slow guessing to a crawl, short enough for a person who mistyped. */
export const PROPOSED_AUTH_DELAY_MS = 500;

/** The modules that pause before a failed login is answered, and the setting (milliseconds) of each. */
const DELAYS = [
  { library: "auth_delay", setting: "auth_delay.milliseconds" },
  { library: "credcheck", setting: "credcheck.auth_delay_ms" },
] as const;

/** No pause after a failed login: neither auth_delay nor credcheck's delay is in force. */
export const authDelay: AuditCheck = {
  id: "authentication/auth-delay",
  title: "Failed logins are answered at once",
  layer: "authentication",
  severity: "low",
  soc2: ["CC6.1"],
  cis: "5.7",
  scope: "server",
  why: "Without a pause before a failed login is answered (auth_delay, or credcheck's auth_delay_ms), a client can try passwords as fast as the server answers: online guessing of weak passwords becomes practical.",
  // LOAD first: ALTER SYSTEM refuses a setting of a module the server has not loaded.
  fix: `LOAD 'auth_delay'; ALTER SYSTEM SET shared_preload_libraries = '<what is loaded now>', 'auth_delay'; ALTER SYSTEM SET auth_delay.milliseconds = '${PROPOSED_AUTH_DELAY_MS}'; then restart PostgreSQL`,
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const loaded = preloadedLibraries(settings);
    const inForce = DELAYS.some(
      ({ library, setting }) => loaded.includes(library) && Number(settingValue(settings, setting) ?? "0") > 0,
    );
    if (inForce) return [];
    const evidence: Evidence[] = [settingEvidence(settings, "shared_preload_libraries")];
    for (const { setting } of DELAYS) if (settings.has(setting)) evidence.push(settingEvidence(settings, setting));
    const auth = loaded.includes("auth_delay");
    return [
      {
        subject: "auth_delay",
        message: auth
          ? "auth_delay is loaded but auth_delay.milliseconds is 0: failed logins are answered at once"
          : "neither auth_delay nor credcheck's auth_delay_ms is in force: failed logins are answered at once",
        evidence,
        fix: auth
          ? `ALTER SYSTEM SET auth_delay.milliseconds = '${PROPOSED_AUTH_DELAY_MS}'; SELECT pg_reload_conf();`
          : `LOAD 'auth_delay'; ${preloadFix(settings)} ALTER SYSTEM SET auth_delay.milliseconds = '${PROPOSED_AUTH_DELAY_MS}'; -- then restart PostgreSQL (shared_preload_libraries is read at start)`,
      },
    ];
  },
};
