import type { PasswordAuditReport, RoleSummary } from "../../../roles/audit/audit-passwords.js";
import { findingLines, severityCounts } from "../../finding-text.js";

function heading(role: RoleSummary | undefined, name: string): string {
  if (!role) return name;
  const traits = [role.superuser ? "superuser" : undefined, role.login ? "login" : "nologin", role.secret === "scram" ? `scram-sha-256, ${role.iterations} iterations` : role.secret === "none" ? "no password" : role.secret].filter(Boolean);
  return `${name} (${traits.join(", ")})`;
}

/** The audit for a person: one block per role, the worst role first, each finding with why and the fix, counts last. */
export function auditText(report: PasswordAuditReport): string {
  const roles = new Map(report.roles.map((role) => [role.name, role]));
  const lines: string[] = [];
  let last: string | undefined;
  for (const finding of report.findings) {
    if (finding.role !== last) {
      lines.push("", heading(roles.get(finding.role), finding.role));
      last = finding.role;
    }
    lines.push(...findingLines(finding, finding.password === undefined ? [] : [["password", finding.password]]));
  }
  const flagged = new Set(report.findings.map((finding) => finding.role)).size;
  const scope = `${report.rolesAudited} roles audited, ${report.secretsTested} stored secrets tried against their names' variants and ${report.sharedGuesses} shared guesses (${report.guessesTried} guesses)`;
  lines.push("", report.findings.length === 0 ? `${scope}: no findings` : `${scope}: ${report.findings.length} findings on ${flagged} roles (${severityCounts(report.findings)})`);
  return lines.join("\n").trimStart();
}
