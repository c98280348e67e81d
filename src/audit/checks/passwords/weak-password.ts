import { weakPassword as engineWeakPassword } from "../../../roles/audit/checks/weak-password.js";
import { type AuditCheck } from "../../audit-check.js";
import { passwordAuditFact } from "../../facts/password-audit.js";
import { engineDrafts, newPasswordFix } from "./engine-findings.js";

/** A stored password the password audit engine guessed (offline): a vendor default, the role's name, a common one. */
export const weakPassword: AuditCheck = {
  id: "passwords/weak-password",
  title: "Guessable password",
  layer: "authentication",
  severity: engineWeakPassword.severity,
  soc2: ["CC6.1"],
  scope: "server",
  why: `${engineWeakPassword.why}. The live audit tries, offline against the stored verifiers, every vendor default (Pigsty's published passwords first), a dozen of the most common passwords and the first 10 variants of each role's name (about 50 guesses a role) while that is at most 600 guesses in all; with more roles (to stay within the audit's 2 s) each role gets its own name, the vendor default of a role of that name and the most common passwords the 600 leave, at least 123456; pgwarden password audit searches deeper (every built-in guess, a --wordlist).`,
  fix: newPasswordFix("<role>"),
  facts: [passwordAuditFact],
  run: (context) => engineDrafts(context.fact(passwordAuditFact), engineWeakPassword, newPasswordFix),
};
