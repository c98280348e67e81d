import { quoteIdentifier } from "../../../core/identifier.js";
import { type PasswordAuditReport } from "../../../roles/audit/audit-passwords.js";
import { type PasswordCheck } from "../../../roles/audit/password-check.js";
import { type FindingDraft } from "../../audit-check.js";

/**
 * The password audit engine's findings of one of its checks, one draft per role: the role as
 * subject and evidence, the engine's message (which never holds a password) and its fix for the role.
 */
export function engineDrafts(
  report: PasswordAuditReport,
  engineCheck: PasswordCheck,
  fixFor: (role: string) => string,
): FindingDraft[] {
  const summaries = new Map(report.roles.map((role) => [role.name, role]));
  return report.findings
    .filter((finding) => finding.id === engineCheck.id)
    .map((finding) => {
      const role = summaries.get(finding.role);
      const attributes = role
        ? [role.superuser ? "SUPERUSER" : "", role.login ? "LOGIN" : "NOLOGIN", `secret ${role.secret}`]
        : [];
      return {
        subject: finding.role,
        message: `role ${finding.role}: ${finding.message}`,
        evidence: [{ label: `role ${finding.role}`, value: attributes.filter((part) => part !== "").join(", ") }],
        fix: fixFor(finding.role),
      };
    });
}

/** Setting a role's password again without the password in the statement or argv: a SCRAM verifier made offline. */
export function newPasswordFix(role: string): string {
  const shellRole = /^[A-Za-z0-9_.-]+$/.test(role) ? role : `'${role.replaceAll("'", "'\\''")}'`;
  const sqlRole = role === "<role>" ? role : quoteIdentifier(role);
  return `pgwarden password hash --user ${shellRole} < new-password.txt (prints a SCRAM verifier), then: ALTER ROLE ${sqlRole} PASSWORD '<verifier>';`;
}
