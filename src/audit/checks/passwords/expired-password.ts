import { quoteIdentifier } from "../../../core/identifier.js";
import { validUntilPast } from "../../../roles/audit/checks/valid-until-past.js";
import { type AuditCheck } from "../../audit-check.js";
import { passwordAuditFact } from "../../facts/password-audit.js";
import { engineDrafts } from "./engine-findings.js";

/** Login roles whose password is past its VALID UNTIL but still stored, as the password audit engine judges them. */
export const expiredPassword: AuditCheck = {
  id: "passwords/expired-password",
  title: "Password past its VALID UNTIL still stored",
  layer: "authentication",
  severity: "medium",
  soc2: ["CC6.1"],
  scope: "server",
  why: validUntilPast.why,
  fix: validUntilPast.fix,
  facts: [passwordAuditFact],
  run: (context) =>
    engineDrafts(
      context.fact(passwordAuditFact),
      validUntilPast,
      (role) =>
        `ALTER ROLE ${quoteIdentifier(role)} NOLOGIN; -- if it is retired; else set a new password with a new VALID UNTIL (pgwarden role apply)`,
    ),
};
