import { lowIterations as engineLowIterations } from "../../../roles/audit/checks/low-iterations.js";
import { type AuditCheck } from "../../audit-check.js";
import { passwordAuditFact } from "../../facts/password-audit.js";
import { engineDrafts, newPasswordFix } from "./engine-findings.js";

/** SCRAM verifiers made with fewer iterations than PostgreSQL's default, as the password audit engine reads them. */
export const lowIterations: AuditCheck = {
  id: "passwords/low-iterations",
  title: "SCRAM verifier with few iterations",
  layer: "authentication",
  severity: engineLowIterations.severity,
  soc2: ["CC6.1"],
  scope: "server",
  why: engineLowIterations.why,
  fix: newPasswordFix("<role>"),
  facts: [passwordAuditFact],
  run: (context) => engineDrafts(context.fact(passwordAuditFact), engineLowIterations, newPasswordFix),
};
