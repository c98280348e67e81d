import { type AuditCheck } from "../../audit-check.js";
import { preloadedLibraries, preloadFix } from "../../facts/auth-preload.js";
import { settingEvidence, settingsFact } from "../../facts/settings.js";

/** The modules that refuse weak passwords when a password is set in plain text. */
const STRENGTH_MODULES = ["passwordcheck", "credcheck"] as const;

/** Neither passwordcheck nor credcheck is loaded: the server takes any password it is given. */
export const noStrengthCheck: AuditCheck = {
  id: "passwords/no-strength-check",
  title: "No password strength check on the server",
  layer: "authentication",
  severity: "medium",
  soc2: ["CC6.1"],
  cis: "5.6",
  scope: "server",
  why: "Without passwordcheck or credcheck in shared_preload_libraries, ALTER ROLE ... PASSWORD accepts the role's name, a one-letter password or a vendor default; the next password audit finds it only after it was in use.",
  fix: "ALTER SYSTEM SET shared_preload_libraries = '<what is loaded now>', 'passwordcheck'; then restart PostgreSQL (or credcheck, which also checks verifiers' reuse and delays failed logins); pgwarden role apply checks passwords before it sends their verifiers",
  facts: [settingsFact],
  run(context) {
    const settings = context.fact(settingsFact);
    const loaded = preloadedLibraries(settings);
    if (STRENGTH_MODULES.some((module) => loaded.includes(module))) return [];
    return [
      {
        subject: "shared_preload_libraries",
        message: "neither passwordcheck nor credcheck is in shared_preload_libraries: any password is accepted",
        evidence: [settingEvidence(settings, "shared_preload_libraries")],
        fix: `${preloadFix(settings)} -- then restart PostgreSQL (shared_preload_libraries is read at start)`,
      },
    ];
  },
};
