import { md5Secret } from "../../../roles/audit/checks/md5-secret.js";
import { type AuditCheck } from "../../audit-check.js";
import { passwordAuditFact } from "../../facts/password-audit.js";
import { engineDrafts, newPasswordFix } from "./engine-findings.js";

/** Roles whose stored secret is md5 (pg_authid), as the password audit engine reads it. */
export const md5Verifiers: AuditCheck = {
  id: "passwords/md5-verifiers",
  title: "Password stored as md5",
  layer: "authentication",
  severity: md5Secret.severity,
  soc2: ["CC6.1"],
  cis: "5.12",
  scope: "server",
  why: md5Secret.why,
  fix: `${newPasswordFix("<role>")} (with password_encryption = 'scram-sha-256')`,
  facts: [passwordAuditFact],
  run: (context) => engineDrafts(context.fact(passwordAuditFact), md5Secret, newPasswordFix),
};
